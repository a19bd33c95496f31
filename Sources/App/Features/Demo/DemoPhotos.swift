import Foundation

/// Pictures for the demo's offers, drawn here rather than shipped (no photos of unknown origin in the repository):
/// a produce-coloured still life on a light ground, one per variety, stored once through the content-addressed
/// file store. A plain PNG: RGB, zlib "stored" blocks, so it needs no image or compression library.
enum DemoPhotos {
    static let width = 240, height = 160

    /// The produce's colour and its shape's: round fruit, long roots, slabs of meat, jars.
    static func colours(for variety: String) -> (ground: [UInt8], body: [UInt8], round: Bool) {
        switch variety {
        case let v where v.contains("橙") || v.contains("李"): ([255, 244, 222], [236, 128, 32], true)
        case let v where v.contains("肉"): ([250, 238, 230], [150, 52, 40], false)
        case let v where v.contains("蜜"): ([255, 248, 220], [214, 150, 20], false)
        case let v where v.contains("茶") || v.contains("菊"): ([236, 246, 232], [76, 140, 60], true)
        case let v where v.contains("蛋"): ([246, 242, 236], [222, 196, 160], true)
        default: ([242, 238, 230], [160, 120, 80], true)
        }
    }

    static func png(for variety: String) -> Data {
        let (ground, body, round) = colours(for: variety)
        var rows = Data(capacity: (width * 3 + 1) * height)
        for y in 0..<height {
            rows.append(0)     // no filter
            for x in 0..<width {
                let dx = Double(x - width / 2) / Double(width / 3), dy = Double(y - height / 2) / Double(height / 3)
                let inside = round ? dx * dx + dy * dy < 1 : abs(dx) < 1 && abs(dy) < 0.6
                let shade = 1 - Double(y) / Double(height) * 0.25
                rows.append(contentsOf: (inside ? body : ground).map { UInt8(Double($0) * shade) })
            }
        }
        var header = Data()
        header.append(be: UInt32(width)); header.append(be: UInt32(height))
        header.append(contentsOf: [8, 2, 0, 0, 0])        // 8-bit RGB, no interlace
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        out.appendChunk("IHDR", header)
        out.appendChunk("IDAT", zlibStored(rows))
        out.appendChunk("IEND", Data())
        return out
    }

    /// A zlib stream of uncompressed blocks (RFC 1950/1951) with its Adler-32.
    static func zlibStored(_ data: Data) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            out.append(offset + n == data.count ? 1 : 0)
            out.append(le: UInt16(n)); out.append(le: ~UInt16(n))
            out.append(data[offset..<offset + n])
            offset += n
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        out.append(be: b << 16 | a)
        return out
    }
}

private extension Data {
    mutating func append(be value: UInt32) {
        append(contentsOf: Swift.withUnsafeBytes(of: value.bigEndian, Array.init))
    }
    mutating func append(le value: UInt16) {
        append(contentsOf: Swift.withUnsafeBytes(of: value.littleEndian, Array.init))
    }

    mutating func appendChunk(_ type: String, _ body: Data) {
        let typed = Data(type.utf8) + body
        append(be: UInt32(body.count))
        append(typed)
        append(be: crc32(typed))
    }

    func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }
}
