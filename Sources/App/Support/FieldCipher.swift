import Crypto
import Foundation

/// Encrypts personal data at rest (AES-256-GCM) and makes keyed hashes for lookups and uniqueness,
/// so the database alone never reveals a household's name or ID number.
struct FieldCipher: Sendable {
    let key: SymmetricKey
    private let keyed: HMAC<SHA256>
    private static let hex = Array("0123456789abcdef".utf8)

    init(key: SymmetricKey) {
        self.key = key
        keyed = HMAC(key: key)
    }

    func seal(_ plain: String) throws -> String {
        try AES.GCM.seal(Data(plain.utf8), using: key).combined!.base64EncodedString()
    }

    func open(_ sealed: String) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw CipherError.corrupt }
        let box = try AES.GCM.SealedBox(combined: data)
        return String(decoding: try AES.GCM.open(box, using: key), as: UTF8.self)
    }

    /// HMAC-SHA256, hex: equal inputs give equal outputs under one key, and nothing else leaks.
    func lookupHash(_ plain: String) -> String {
        var plain = plain
        return plain.withUTF8 { hex(UnsafeRawBufferPointer($0)) }
    }

    /// `lookupHash` of the parts joined by an ASCII separator, without making the joined text: an import hashes
    /// each line's key and fingerprint, and a new line's seller key.
    func lookupHash(joining parts: [String], by separator: Unicode.Scalar) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.reduce(parts.count) { $0 + $1.utf8.count })
        for (i, part) in parts.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: separator)) }
            bytes.append(contentsOf: part.utf8)
        }
        return bytes.withUnsafeBytes(hex)
    }

    private func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var mac = keyed      // a copy of the keyed state: an import hashes every row's seller
        mac.update(data: bytes)
        // The code's own bytes, not its generic iterator (which was most of making the text).
        return mac.finalize().withUnsafeBytes { code in
            String(unsafeUninitializedCapacity: 64) { out in
                for (i, byte) in code.enumerated() {
                    out[2 * i] = Self.hex[Int(byte >> 4)]
                    out[2 * i + 1] = Self.hex[Int(byte & 15)]
                }
                return 64
            }
        }
    }

    enum CipherError: Error { case corrupt }
}
