/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM ignored.
public enum CSV {
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        if pending == "\u{FEFF}" { pending = iterator.next() }
        while let c = pending {
            pending = iterator.next()
            if quoted {
                if c == "\"" {
                    if pending == "\"" { field.unicodeScalars.append("\""); pending = iterator.next() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\r": continue
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// One exported line; every field passes `FormulaGuard` first, so no cell runs as a formula when opened.
    public static func line(_ fields: [String]) -> String {
        fields.map { (field: String) -> String in
            let f = FormulaGuard.neutralised(field)
            let quoted = f.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            return quoted ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",")
    }
}

/// One problem in one row of an imported file, for the row-by-row report.
public struct RowError: Error, Equatable, Sendable, Codable {
    public let row: Int
    public let column: String
    public let code: String
    public let message: String

    public init(row: Int, column: String, code: String, message: String) {
        self.row = row; self.column = column; self.code = code; self.message = message
    }
}

/// A whole file refused: nothing of it was written.
public struct ImportRejected: Error, Sendable {
    public let errors: [RowError]
    public init(_ errors: [RowError]) { self.errors = errors }
}
