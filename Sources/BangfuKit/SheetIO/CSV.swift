/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM ignored.
public enum CSV {
    public static func parse(_ text: String) -> [[String]] {
        var text = text
        return text.withUTF8(parse(bytes:))
    }

    /// Read byte by byte: every character the format gives meaning to is ASCII, so a field's bytes are whole UTF-8
    /// (appending scalars to a `String` one at a time was a tenth of a re-import).
    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> [[String]] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var rows: [[String]] = [], row: [String] = [], field: [UInt8] = [], quoted = false
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if quoted {
                if c != quote {
                    field.append(c)
                } else if i < bytes.count, bytes[i] == quote {
                    field.append(quote)
                    i += 1
                } else {
                    quoted = false
                }
                continue
            }
            switch c {
            case quote: quoted = true
            case comma: endField()
            case cr: continue
            case lf:
                endField()
                rows.append(row)
                row = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }

    /// One exported line; every field passes `FormulaGuard` first, so no cell runs as a formula when opened.
    public static func line(_ fields: [String]) -> String {
        fields.map { (field: String) -> String in
            let f = FormulaGuard.neutralised(field)
            // Bytes, not characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
            let quoted = f.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
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
