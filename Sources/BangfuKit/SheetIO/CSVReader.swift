import Foundation

/// RFC 4180 CSV read row by row from a file, a block at a time, so a million-row export needs the memory of
/// one block and one row. Works on UTF-8 bytes (quotes, commas and line ends are ASCII); a BOM is skipped.
public struct CSVReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// The 1-based line of the row `next()` returned last.
    public private(set) var row = 0
    static let blockSize = 1 << 20

    public init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
        refill()
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    private mutating func refill() {
        buffer.removeFirst(position)
        position = 0
        let data = handle.readData(ofLength: Self.blockSize)
        if data.isEmpty { atEnd = true } else { buffer.append(contentsOf: data) }
    }

    private mutating func byte() -> UInt8? {
        if position == buffer.count {
            guard !atEnd else { return nil }
            refill()
            if position == buffer.count { return nil }
        }
        defer { position += 1 }
        return buffer[position]
    }

    private mutating func peek() -> UInt8? {
        if position == buffer.count, !atEnd { refill() }
        return position < buffer.count ? buffer[position] : nil
    }

    /// The next row's fields, or nil at the end of the file.
    public mutating func next() -> [String]? {
        var fields: [String] = [], field: [UInt8] = [], quoted = false, sawAny = false
        while let c = byte() {
            sawAny = true
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if peek() == UInt8(ascii: "\"") { field.append(c); position += 1 } else { quoted = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): quoted = true
            case UInt8(ascii: ","): fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true)
            case UInt8(ascii: "\r"): continue
            case UInt8(ascii: "\n"):
                fields.append(String(decoding: field, as: UTF8.self))
                row += 1
                return fields
            default: field.append(c)
            }
        }
        guard sawAny else { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        row += 1
        return fields
    }

    public func close() { try? handle.close() }
}
