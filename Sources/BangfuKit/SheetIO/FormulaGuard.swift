/// Cells that a spreadsheet would run as a formula, made inert in every export (OWASP, "CSV Injection"): text that
/// starts with = + - @, a tab or a carriage return gets a leading apostrophe, which Excel and WPS show as text.
/// A plain number such as a reversing entry's "-90" is left as it is: it is no formula. Imports take the
/// apostrophe off again, so an export re-imports unchanged.
public enum FormulaGuard {
    static let triggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]

    /// Apostrophes already leading the text count as part of it ("'=SUM" gains one more), so that `restored`,
    /// which takes one off, gives back exactly what was exported.
    public static func neutralised(_ cell: String) -> String {
        guard let first = afterApostrophes(cell), triggers.contains(first), !isPlainNumber(cell) else { return cell }
        return "'" + cell
    }

    public static func restored(_ cell: String) -> String {
        guard cell.unicodeScalars.first == "'", let first = afterApostrophes(cell),
            triggers.contains(first) else { return cell }
        return String(cell.dropFirst())
    }

    static func afterApostrophes(_ cell: String) -> Unicode.Scalar? {
        cell.unicodeScalars.first { $0 != "'" }
    }

    /// "-90", "+3", "-1.25": a sign, digits and at most one point with digits after it.
    static func isPlainNumber(_ cell: String) -> Bool {
        let body = cell.unicodeScalars.dropFirst()
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
    }
}
