import Crypto
import Foundation

/// Encrypts personal data at rest (AES-256-GCM) and makes keyed hashes for lookups and uniqueness,
/// so the database alone never reveals a household's name or ID number.
struct FieldCipher: Sendable {
    let key: SymmetricKey

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
        let digits = Array("0123456789abcdef".utf8)   // hex by table: an import hashes every row's seller
        return String(decoding: HMAC<SHA256>.authenticationCode(for: Data(plain.utf8), using: key).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] },
                      as: UTF8.self)
    }

    enum CipherError: Error { case corrupt }
}
