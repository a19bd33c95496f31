import Crypto
import Foundation
import Vapor

/// Where uploaded bytes live, by their SHA-256: the same file stored twice is stored once, a stored file can be
/// checked against its name, and none is ever seen half-written. A local directory on one machine
/// (`LocalFileStore`); in the database when several app servers share a PostgreSQL (`DatabaseFileStore`).
protocol FileStore: Sendable {
    func put(_ data: Data) async throws -> String
    /// Stores a file on disk, read a block at a time (an import's upload may be gigabytes).
    func put(contentsOf url: URL) async throws -> String
    func get(_ sha256: String) async throws -> Data?
    /// Writes a stored file to `url`, a block at a time; false when there is none.
    func copy(_ sha256: String, to url: URL) async throws -> Bool
    func remove(_ sha256: String) async throws
}

enum FileHash {
    static let blockSize = 1 << 20

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    static func of(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func of(contentsOf url: URL) throws -> String {
        var hash = SHA256()
        try blocks(of: url) { hash.update(data: $0) }
        return hex(hash.finalize())
    }

    /// Calls `body` with each block of the file, in order.
    static func blocks(of url: URL, _ body: (Data) throws -> Void) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        while let block = try handle.read(upToCount: blockSize), !block.isEmpty { try body(block) }
    }

    static func isName(_ text: String) -> Bool { text.utf8.count == 64 && text.allSatisfy(\.isHexDigit) }
}

struct LocalFileStore: FileStore {
    let root: String

    func put(_ data: Data) async throws -> String {
        let hash = FileHash.of(data)
        try place(hash) { try data.write(to: URL(fileURLWithPath: $0)) }
        return hash
    }

    func put(contentsOf url: URL) async throws -> String {
        let hash = try FileHash.of(contentsOf: url)
        try place(hash) { try FileManager.default.copyItem(atPath: url.path, toPath: $0) }
        return hash
    }

    /// Writes under a temporary name, then renames: a crash never leaves half a file under its final name.
    private func place(_ hash: String, write: (String) throws -> Void) throws {
        let dir = "\(root)/\(hash.prefix(2))"
        let path = "\(dir)/\(hash)"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = "\(path).\(UUID().uuidString).tmp"
        try write(tmp)
        try FileManager.default.moveItem(atPath: tmp, toPath: path)
    }

    func get(_ sha256: String) async throws -> Data? {
        guard let path = path(sha256) else { return nil }
        return FileManager.default.contents(atPath: path)
    }

    func copy(_ sha256: String, to url: URL) async throws -> Bool {
        guard let path = path(sha256), FileManager.default.fileExists(atPath: path) else { return false }
        try FileManager.default.copyItem(atPath: path, toPath: url.path)
        return true
    }

    func remove(_ sha256: String) async throws {
        guard let path = path(sha256) else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    private func path(_ sha256: String) -> String? {
        FileHash.isName(sha256) ? "\(root)/\(sha256.prefix(2))/\(sha256)" : nil
    }
}

extension Application {
    /// PostgreSQL: the database, which every app server reads; SQLite: the data directory.
    var files: any FileStore {
        let local = LocalFileStore(root: config.varDirectory + "/files")
        guard case .postgres = config.database else { return local }
        return DatabaseFileStore(db: db, earlier: local)
    }
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
