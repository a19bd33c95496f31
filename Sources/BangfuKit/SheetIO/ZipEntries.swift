import Foundation
import ZIPFoundation

/// The entries of an uploaded .xlsx, read from its central directory by this code rather than ZIPFoundation's
/// `Archive`, which traps or spins on crafted archives (offsets past the end, ZIP64 sizes past Int64, a deflate
/// stream that never ends). Every offset and size is checked against the bytes at hand before it is used; ZIP64,
/// encryption and methods other than stored and deflate are refused. Inflating goes through zlib with exactly the
/// entry's compressed bytes and stops at the limits.
struct ZipEntries {
    struct Entry {
        let path: String
        let method: UInt16
        let compressedSize: Int
        let uncompressedSize: Int
        let dataStart: Int
    }

    let bytes: [UInt8]
    let entries: [String: Entry]

    static let maxEntries = 10_000

    init(_ data: Data) throws {
        bytes = [UInt8](data)
        var entries: [String: Entry] = [:]
        let (count, start) = try Self.directory(bytes)
        var at = start
        for _ in 0..<count {
            let entry = try Self.entry(bytes, at: &at)
            entries[entry.path] = entry
        }
        self.entries = entries
    }

    subscript(_ path: String) -> Entry? { entries[path] }

    /// The end-of-central-directory record: how many entries, and where the directory starts.
    static func directory(_ b: [UInt8]) throws -> (Int, Int) {
        guard b.count >= 22 else { throw bad("文件过短") }
        let lowest = max(0, b.count - 22 - 65_535)
        guard let eocd = stride(from: b.count - 22, through: lowest, by: -1).first(where: { u32(b,
            $0) == 0x0605_4b50 }) else {
            throw bad("找不到 zip 目录")
        }
        let count = u16(b, eocd + 10), size = u32(b, eocd + 12), offset = u32(b, eocd + 16)
        guard count != 0xFFFF, size != 0xFFFF_FFFF, offset != 0xFFFF_FFFF else { throw bad("不支持 ZIP64") }
        guard count <= maxEntries, offset + size <= eocd else { throw bad("zip 目录无效") }
        return (count, offset)
    }

    /// One central-directory record, checked, with where its data begins (from its local header).
    static func entry(_ b: [UInt8], at: inout Int) throws -> Entry {
        guard at + 46 <= b.count, u32(b, at) == 0x0201_4b50 else { throw bad("zip 目录项无效") }
        let flags = u16(b, at + 8), method = u16(b, at + 10)
        let compressed = u32(b, at + 20), uncompressed = u32(b, at + 24)
        let nameLength = u16(b, at + 28), extraLength = u16(b, at + 30), commentLength = u16(b, at + 32)
        let local = u32(b, at + 42)
        guard flags & 1 == 0 else { throw bad("不支持加密的 xlsx") }
        guard method == 0 || method == 8 else { throw bad("不支持的压缩方式") }
        guard compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF,
            local != 0xFFFF_FFFF else { throw bad("不支持 ZIP64") }
        let nameEnd = at + 46 + nameLength
        guard nameEnd <= b.count else { throw bad("zip 目录项无效") }
        let path = String(decoding: b[(at + 46)..<nameEnd], as: UTF8.self)
        at = nameEnd + extraLength + commentLength
        guard local + 30 <= b.count, u32(b, local) == 0x0403_4b50 else { throw bad("zip 文件头无效") }
        let dataStart = local + 30 + u16(b, local + 26) + u16(b, local + 28)
        guard dataStart + compressed <= b.count else { throw bad("zip 数据超出文件末尾") }
        guard method == 8 || compressed == uncompressed else { throw bad("zip 条目大小不一致") }
        return Entry(path: path, method: UInt16(method), compressedSize: compressed, uncompressedSize: uncompressed,
                     dataStart: dataStart)
    }

    /// The entry's bytes, never more than `ceiling`: past it, or for a stream that does not end within its
    /// compressed bytes, the entry is refused.
    func contents(_ entry: Entry, ceiling: Int, tooLarge: Error) throws -> Data {
        let packed = bytes[entry.dataStart..<(entry.dataStart + entry.compressedSize)]
        guard entry.method == 8 else {
            guard packed.count <= ceiling else { throw tooLarge }
            return Data(packed)
        }
        var out = Data()
        let chunk = 64 * 1024
        _ = try Data.decompress(size: Int64(entry.compressedSize), bufferSize: chunk, skipCRC32: true,
            provider: { position, size in
            // ZIPFoundation hands zlib `size` bytes whatever the chunk holds: pad the last one, and end the stream
            // (as corrupt) when zlib asks for more than the entry has.
            guard position >= 0, Int(position) < packed.count else { throw Self.bad("xlsx 压缩数据不完整") }
            let from = packed.startIndex + Int(position)
            var data = Data(packed[from..<min(from + size, packed.endIndex)])
            if data.count < size { data.append(Data(count: size - data.count)) }
            return data
        }, consumer: { data in
            guard out.count + data.count <= ceiling else { throw tooLarge }
            out.append(data)
        })
        return out
    }

    static func bad(_ what: String) -> XLSX.Unreadable { XLSX.Unreadable(description: "不是有效的 xlsx 文件（\(what)）") }

    static func u16(_ b: [UInt8], _ i: Int) -> Int {
        guard i >= 0, i + 2 <= b.count else { return 0xFFFF_FFFF }
        return Int(b[i]) | Int(b[i + 1]) << 8
    }

    static func u32(_ b: [UInt8], _ i: Int) -> Int {
        guard i >= 0, i + 4 <= b.count else { return 0xFFFF_FFFF }
        return Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24
    }
}
