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

    public static func read(_ data: Data) throws -> [[String]] {
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch { throw Unreadable(description: "不是有效的 xlsx 文件") }
        let shared = try archive["xl/sharedStrings.xml"].map { try SharedStrings.parse(entryData(archive, $0)) } ?? []
        let sheetPath = try firstSheetPath(archive)
        guard let entry = archive[sheetPath] else { throw Unreadable(description: "xlsx 中没有工作表") }
        return try SheetReader.parse(entryData(archive, entry), shared: shared)
    }

    static func entryData(_ archive: Archive, _ entry: Entry) throws -> Data {
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
        return data
    }

    /// The workbook's first sheet, through its relationship, as Excel and openpyxl name them differently.
    static func firstSheetPath(_ archive: Archive) throws -> String {
        guard let wb = archive["xl/workbook.xml"], let rels = archive["xl/_rels/workbook.xml.rels"] else {
            return "xl/worksheets/sheet1.xml"
        }
        let rid = try Attributes.first(of: "sheet", attribute: "r:id", in: entryData(archive, wb))
        let targets = try Attributes.all(of: "Relationship", in: entryData(archive, rels))
        guard let rid, let target = targets.first(where: { $0["Id"] == rid })?["Target"] else { return "xl/worksheets/sheet1.xml" }
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
                xml += "<c r=\"\(column(c))\(r + 1)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(value))</t></is></c>"
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

    static func columnIndex(_ ref: String) -> Int {
        ref.prefix { $0.isLetter }.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
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

/// Cells of one worksheet by their references, so skipped (empty) cells keep columns aligned.
private final class SheetReader: NSObject, XMLParserDelegate {
    let shared: [String]
    var rows: [Int: [Int: String]] = [:]
    var row = 0, col = 0, type = "", value = "", inValue = false

    init(shared: [String]) { self.shared = shared }

    static func parse(_ data: Data, shared: [String]) throws -> [[String]] {
        let d = SheetReader(shared: shared)
        let p = XMLParser(data: data)
        p.delegate = d
        guard p.parse() else { throw XLSX.Unreadable(description: "xlsx 工作表无法读取") }
        guard let last = d.rows.keys.max() else { return [] }
        return (0...last).map { r in
            let cells = d.rows[r] ?? [:]
            guard let width = cells.keys.max() else { return [] }
            return (0...width).map { cells[$0] ?? "" }
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "row": if let r = attributes["r"].flatMap(Int.init) { row = r - 1 }; col = -1
        case "c":
            col = attributes["r"].map(XLSX.columnIndex) ?? col + 1
            type = attributes["t"] ?? ""; value = ""
        case "v", "t": inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": inValue = false
        case "c":
            let text = type == "s" ? Int(value).flatMap { $0 < shared.count ? shared[$0] : nil } ?? "" : value
            rows[row, default: [:]][col] = Self.tidyNumber(text, type: type)
        case "row": row += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { value += string } }

    /// Excel stores 30 as "30" but 3.1 may come back as "3.1000000000000001"; keep what a person typed.
    static func tidyNumber(_ text: String, type: String) -> String {
        guard type.isEmpty || type == "n", text.contains("."), let d = Double(text), text.count > 12 else { return text }
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
