import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// The first worksheet of an .xlsx as rows of text, and a writer of one-sheet workbooks that
/// Excel and openpyxl open cleanly. Enough of SpreadsheetML for the seeds' forms, no more.
public enum XLSX {
    public struct Unreadable: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ data: Data, limits: SheetLimits = .standard) throws -> [[String]] {
        var reader = EntryReader(zip: try ZipEntries(data), limits: limits, left: limits.archiveBytes)
        let shared = try reader.contents("xl/sharedStrings.xml").map(SharedStrings.parse) ?? []
        let sheetPath = try firstSheetPath(&reader)
        guard let sheet = try reader.contents(sheetPath) else { throw Unreadable(description: "xlsx 中没有工作表") }
        return try SheetReader.parse(sheet, shared: shared, limits: limits)
    }

    /// Inflates entries within the limits: checked on the declared size first, then as it inflates, so a zip bomb
    /// (or a header that lies about its size) stops at the limit instead of filling the memory.
    struct EntryReader {
        let zip: ZipEntries
        let limits: SheetLimits
        var left: Int

        mutating func contents(_ path: String) throws -> Data? {
            guard let entry = zip[path] else { return nil }
            let ceiling = limits.ceiling(compressed: UInt64(entry.compressedSize), archiveLeft: left)
            let refusal = limits.tooLarge(limits.entryMessage)
            guard entry.uncompressedSize <= ceiling else { throw refusal }
            let data = try zip.contents(entry, ceiling: ceiling, tooLarge: refusal)
            // Foundation's XMLParser force-unwraps names libxml2 recovered from bytes that are not UTF-8 and traps.
            guard String(validating: data, as: UTF8.self) != nil else {
                throw Unreadable(description: "xlsx 内容不是 UTF-8 编码的 XML（\(path)）")
            }
            left -= data.count
            return data
        }
    }

    /// The workbook's first sheet, through its relationship, as Excel and openpyxl name them differently.
    static func firstSheetPath(_ reader: inout EntryReader) throws -> String {
        let fallback = "xl/worksheets/sheet1.xml"
        guard let wb = try reader.contents("xl/workbook.xml"),
            let rels = try reader.contents("xl/_rels/workbook.xml.rels") else {
            return fallback
        }
        let rid = try Attributes.first(of: "sheet", attribute: "r:id", in: wb)
        let targets = try Attributes.all(of: "Relationship", in: rels)
        guard let rid, let target = targets.first(where: { $0["Id"] == rid })?["Target"] else { return fallback }
        return target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
    }

    /// A workbook with one sheet; every cell is an inline string, so no shared-string table is needed.
    public static func write(sheetName: String, rows: [[String]]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        let files: [(String, String)] = [
            ("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>
            """),
            ("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """),
            ("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="\(escape(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>
            """),
            ("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>
            """),
            ("xl/worksheets/sheet1.xml", sheetXML(rows)),
        ]
        for (path, text) in files {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { pos, size in
                bytes.subdata(in: Int(pos)..<Int(pos) + size)
            }
        }
        guard let data = archive.data else { throw Unreadable(description: "xlsx 生成失败") }
        return data
    }

    static func sheetXML(_ rows: [[String]]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (r, row) in rows.enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, value) in row.enumerated() where !value.isEmpty {
                let text = escape(FormulaGuard.neutralised(value))
                xml += "<c r=\"\(column(c))\(r + 1)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(text)</t></is></c>"
            }
            xml += "</row>"
        }
        return xml + "</sheetData></worksheet>"
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func column(_ index: Int) -> String {
        var n = index + 1, s = ""
        while n > 0 { let m = (n - 1) % 26; s = String(UnicodeScalar(65 + m)!) + s; n = (n - 1) / 26 }
        return s
    }

    /// "A1" → 0, "AB7" → 27; nil past three letters (Excel's last column is XFD) or for anything but A–Z.
    static func columnIndex(_ ref: String) -> Int? {
        let letters = ref.unicodeScalars.prefix { ("A"..."Z").contains($0) }
        guard (1...3).contains(letters.count) else { return nil }
        return letters.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }

    /// XML text: the five specials escaped, and the characters XML 1.0 cannot hold at all (NUL and the other
    /// controls but tab and line breaks) left out, as one of them makes the whole workbook unreadable.
    static func escape(_ s: String) -> String {
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: s.unicodeScalars.filter { $0.value >= 0x20 || [0x09, 0x0A, 0x0D].contains($0.value) })
        return String(kept).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// <si> entries of sharedStrings.xml, rich text runs joined.
private final class SharedStrings: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current = "", inText = false, inPhonetic = false

    static func parse(_ data: Data) throws -> [String] {
        let d = SharedStrings()
        let p = XMLParser(data: data)
        p.delegate = d
        guard p.parse() else { throw XLSX.Unreadable(description: "xlsx 共享字符串无法读取") }
        return d.strings
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "si": current = ""
        case "t": inText = !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si": strings.append(current)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }
}

/// Cells of one worksheet by their references, so skipped (empty) cells keep columns aligned. Every reference
/// and count is checked against the limits before it is used: a parser error is the only way out.
private final class SheetReader: NSObject, XMLParserDelegate {
    let shared: [String]
    let limits: SheetLimits
    var rows: [Int: [Int: String]] = [:]
    var row = 0, col = 0, type = "", value = "", inValue = false, filled = 0
    var refused: XLSX.Unreadable?

    init(shared: [String], limits: SheetLimits) {
        self.shared = shared
        self.limits = limits
    }

    static func parse(_ data: Data, shared: [String], limits: SheetLimits) throws -> [[String]] {
        let d = SheetReader(shared: shared, limits: limits)
        let p = XMLParser(data: data)
        p.delegate = d
        let parsed = p.parse()
        if let refused = d.refused { throw refused }
        guard parsed else { throw XLSX.Unreadable(description: "xlsx 工作表无法读取") }
        return try d.grid()
    }

    /// The rows in order, each as wide as its last filled cell; refused when the blanks would pass the cell limit.
    func grid() throws -> [[String]] {
        guard let last = rows.keys.max() else { return [] }
        let total = rows.values.reduce(0) { $0 + ($1.keys.max() ?? -1) + 1 }
        guard total <= limits.cells else { throw limits.tooLarge(limits.cellsMessage) }
        return (0...last).map { r in
            let cells = rows[r] ?? [:]
            guard let width = cells.keys.max() else { return [] }
            return (0...width).map { cells[$0] ?? "" }
        }
    }

    func refuse(_ parser: XMLParser, _ message: String) {
        refused = refused ?? limits.tooLarge(message)
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "row":
            if let r = attributes["r"] {
                guard let n = Int(r), (1...limits.rows).contains(n) else { return refuse(parser, limits.gridMessage) }
                row = n - 1
            }
            col = -1
        case "c":
            if let r = attributes["r"] {
                guard let c = XLSX.columnIndex(r) else { return refuse(parser, limits.gridMessage) }
                col = c
            } else {
                col += 1
            }
            guard row < limits.rows, col < limits.columns else { return refuse(parser, limits.gridMessage) }
            type = attributes["t"] ?? ""; value = ""
        case "v", "t": inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": inValue = false
        case "c":
            filled += 1
            guard filled <= limits.cells else { return refuse(parser, limits.cellsMessage) }
            // Checked again at the end: a <row> nested in the cell (recovered from broken XML) moved both.
            guard row < limits.rows, (0..<limits.columns).contains(col) else { return refuse(parser,
                limits.gridMessage) }
            let text = type == "s" ? Int(value).flatMap { shared.indices.contains($0) ? shared[$0] : nil } ?? "" : value
            rows[row, default: [:]][col] = Self.tidyNumber(text, type: type)
        case "row": row += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { value += string } }

    /// Excel stores 30 as "30" but 3.1 may come back as "3.1000000000000001"; keep what a person typed.
    static func tidyNumber(_ text: String, type: String) -> String {
        guard type.isEmpty || type == "n", text.contains("."), let d = Double(text), d.isFinite,
            text.count > 12 else { return text }
        var s = String(format: "%.6f", d)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}

/// Attributes of elements, for the small relationship lookups.
private final class Attributes: NSObject, XMLParserDelegate {
    let element: String
    var found: [[String: String]] = []

    init(_ element: String) { self.element = element }

    static func all(of element: String, in data: Data) throws -> [[String: String]] {
        let d = Attributes(element)
        let p = XMLParser(data: data)
        p.delegate = d
        guard p.parse() else { throw XLSX.Unreadable(description: "xlsx 结构无法读取") }
        return d.found
    }

    static func first(of element: String, attribute: String, in data: Data) throws -> String? {
        try all(of: element, in: data).first?[attribute]
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == element || qualifiedName == element { found.append(attributes) }
    }
}
