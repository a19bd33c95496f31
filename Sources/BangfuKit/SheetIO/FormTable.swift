/// A seed form's table as offices fill it: a title and a header block ("填报单位：…") above, one row of
/// column names (in any of their spellings), data rows, blank padding and the seed's notes below.
public struct FormTable: Sendable {
    public let rows: [[String]]
    public let headerIndex: Int
    let index: [String: Int]

    /// Finds the column-name row by `anchor` (any spelling) and maps every known column; a missing required
    /// column rejects the sheet with one error naming it.
    public init(_ cells: [[String]], anchor: String, aliases: [String: [String]], required: [String], form: String) throws(ImportRejected) {
        rows = cells.concurrentMap { $0.map { FormulaGuard.restored(TextHygiene.cleaned($0).trimmed) } }
        let anchors = Set((aliases[anchor] ?? [anchor]).map(Self.fold))
        guard let h = rows.firstIndex(where: { $0.contains { anchors.contains(Self.fold($0)) } }) else {
            throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "找不到表头（应含“\(anchor)”等\(form)的列名）")])
        }
        headerIndex = h
        var index: [String: Int] = [:]
        for (i, cell) in rows[h].enumerated() {
            if let name = aliases.first(where: { $0.value.map(Self.fold).contains(Self.fold(cell)) })?.key, index[name] == nil { index[name] = i }
        }
        self.index = index
        let missing = required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ImportRejected([RowError(row: h + 1, column: "表头", code: "bad_header", message: "缺少列：\(missing.joined(separator: "、"))")])
        }
    }

    /// Where a column is, to read every line's cell by its `position` (a name hashed for every cell was a twentieth
    /// of a large import).
    public func position(_ column: String) -> Int? { index[column] }

    /// One data row: its 1-based line number and its cells by column name or position.
    public struct Line: Sendable {
        public let number: Int
        let cells: [String], index: [String: Int]
        public subscript(_ column: String) -> String { self[index[column]] }
        public subscript(_ position: Int?) -> String { position.flatMap { $0 < cells.count ? cells[$0] : nil } ?? "" }
    }

    /// The data rows, skipping blank padding and stopping at the notes under the table.
    public var lines: [Line] {
        var out: [Line] = []
        let filled = index.filter { $0.key != "序号" }.map(\.value)
        for (i, row) in rows.enumerated().dropFirst(headerIndex + 1) {
            let line = Line(number: i + 1, cells: row, index: index)
            if filled.allSatisfy({ line[$0].isEmpty }) { continue }
            if row.first?.hasPrefix("备注") == true { break }
            out.append(line)
        }
        return out
    }

    /// "填报单位：龙角镇   填报人：张三 …" in one cell or several, by label.
    public func headerBlock(_ labels: [String]) -> [String: String] {
        let text = rows[..<headerIndex].flatMap { $0 }.joined(separator: " ")
        var values: [String: String] = [:]
        for label in labels {
            guard let r = text.range(of: label) else { continue }
            var rest = text[r.upperBound...].drop { $0 == "：" || $0 == ":" || $0 == " " }
            if let next = labels.compactMap({ rest.range(of: $0)?.lowerBound }).min() { rest = rest[..<next] }
            values[label] = rest.trimmed
        }
        return values
    }

    /// Column names compared without spaces or line breaks, and with half-width brackets.
    static func fold(_ s: String) -> String {
        s.filter { !$0.isWhitespace }.replacingOccurrences(of: "（", with: "(").replacingOccurrences(of: "）", with: ")")
    }
}
