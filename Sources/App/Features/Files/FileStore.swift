import Crypto
import Foundation
import Vapor

/// Where uploaded bytes live, by their SHA-256: the same file stored twice is stored once, and a
/// stored file can be checked against its name. A local directory by default; other stores
/// (object storage) implement the same two calls.
protocol FileStore: Sendable {
    func put(_ data: Data) throws -> String
    func get(_ sha256: String) throws -> Data?
}

struct LocalFileStore: FileStore {
    let root: String

    func put(_ data: Data) throws -> String {
        let hash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let dir = "\(root)/\(hash.prefix(2))"
        let path = "\(dir)/\(hash)"
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // Write then rename, so a crash never leaves half a file under its final name.
            let tmp = "\(path).\(UUID().uuidString).tmp"
            try data.write(to: URL(fileURLWithPath: tmp))
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        }
        return hash
    }

    func get(_ sha256: String) throws -> Data? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        return FileManager.default.contents(atPath: "\(root)/\(sha256.prefix(2))/\(sha256)")
    }
}

extension Application {
    var files: any FileStore { LocalFileStore(root: config.varDirectory + "/files") }
}

/// What uploads may be: recognised by their first bytes, not by the name the browser sends.
enum UploadKind: String, CaseIterable {
    case jpeg, png, pdf

    var contentType: String { ["jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"][rawValue]! }

    static func sniff(_ data: Data) -> UploadKind? {
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if data.starts(with: Array("%PDF-".utf8)) { return .pdf }
        return nil
    }
}
