/// A minimal zip of uncompressed entries (method 0), enough for `XLSX.read`: the sheet at the path it falls back
/// to when there is no workbook.xml, and the shared strings. The input's first NUL byte (which XML cannot hold)
/// separates the two, so the fuzzer mutates both.
enum StoredZip {
    static func workbook(xml input: [UInt8]) -> [UInt8] {
        let cut = input.firstIndex(of: 0) ?? input.endIndex
        var entries = [("xl/worksheets/sheet1.xml", Array(input[..<cut]))]
        if cut < input.endIndex { entries.append(("xl/sharedStrings.xml", Array(input[(cut + 1)...]))) }
        return archive(entries)
    }

    static func archive(_ entries: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [], directory: [UInt8] = []
        for (path, data) in entries {
            let name = Array(path.utf8)
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + header(name, data.count)
                + le16(0) + le16(0) + le16(0) + le32(0) + le32(out.count) + name
            out += le32(0x0403_4B50) + le16(20) + header(name, data.count) + name + data
        }
        let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(directory.count) + le32(out.count) + le16(0)
        return out + directory + end
    }

    /// The fields local and central headers share: flags, method, time, date, CRC (not checked), sizes, name
    /// length, extra length.
    static func header(_ name: [UInt8], _ size: Int) -> [UInt8] {
        le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(size) + le32(size) + le16(name.count) + le16(0)
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
}
