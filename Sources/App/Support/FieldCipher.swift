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
        HMAC<SHA256>.authenticationCode(for: Data(plain.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }

    enum CipherError: Error { case corrupt }
}
