import Fluent
import Foundation
import SQLKit

/// Files in the database, for several app servers on one PostgreSQL: a proof uploaded through one server is read
/// through any other, is in the database's backups and on its replica, and needs no shared disk. A file is
/// stored as 1 MiB chunks and its row, in one transaction: until the row is committed, no reader sees the file.
/// Reads fall back to the data directory, where an installation kept its files before it had several servers.
struct DatabaseFileStore: FileStore {
    static let files = "stored_files"
    static let chunks = "stored_file_chunks"

    let db: any Database
    let earlier: LocalFileStore?

    private var sql: any SQLDatabase { db as! any SQLDatabase }

    func put(_ data: Data) async throws -> String {
        let hash = FileHash.of(data)
        let blocks = stride(from: 0, to: data.count, by: FileHash.blockSize).map {
            data.subdata(in: $0..<min($0 + FileHash.blockSize, data.count))
        }
        try await store(hash, size: data.count) { write in
            for block in blocks { try await write(block) }
        }
        return hash
    }

    func put(contentsOf url: URL) async throws -> String {
        let hash = try FileHash.of(contentsOf: url)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
        try await store(hash, size: size) { write in
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            while let block = try handle.read(upToCount: FileHash.blockSize), !block.isEmpty { try await write(block) }
        }
        return hash
    }

    private func store(_ hash: String, size: Int,
                       blocks: @escaping @Sendable (_ write: (Data) async throws -> Void) async throws -> Void)
        async throws {
        guard try await chunkCount(hash) == nil else { return }
        try await db.transaction { db in
            let sql = db as! any SQLDatabase
            var seq = 0
            try await blocks { block in
                try await sql.insert(into: Self.chunks).columns("sha256", "seq", "bytes")
                    .values(SQLBind(hash), SQLBind(seq), SQLBind(block))
                    .ignoringConflicts()
                    .run()
                seq += 1
            }
            try await sql.insert(into: Self.files).columns("sha256", "size", "chunks")
                .values(SQLBind(hash), SQLBind(Int64(size)), SQLBind(seq))
                .ignoringConflicts()
                .run()
        }
    }

    func get(_ sha256: String) async throws -> Data? {
        guard FileHash.isName(sha256) else { return nil }
        guard let count = try await chunkCount(sha256) else { return try await earlier?.get(sha256) }
        var data = Data()
        for seq in 0..<count { data.append(try await chunk(sha256, seq)) }
        return data
    }

    func copy(_ sha256: String, to url: URL) async throws -> Bool {
        guard FileHash.isName(sha256) else { return false }
        guard let count = try await chunkCount(sha256) else { return try await earlier?.copy(sha256, to: url) ?? false }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { return false }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        for seq in 0..<count { try handle.write(contentsOf: try await chunk(sha256, seq)) }
        return true
    }

    func remove(_ sha256: String) async throws {
        try await db.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.delete(from: Self.files).where("sha256", .equal, SQLBind(sha256)).run()
            try await sql.delete(from: Self.chunks).where("sha256", .equal, SQLBind(sha256)).run()
        }
    }

    private struct Row: Decodable { let chunks: Int }
    private struct Chunk: Decodable { let bytes: Data }

    private func chunkCount(_ hash: String) async throws -> Int? {
        try await sql.select().column("chunks").from(Self.files).where("sha256", .equal, SQLBind(hash))
            .first(decoding: Row.self)?.chunks
    }

    private func chunk(_ hash: String, _ seq: Int) async throws -> Data {
        guard let row = try await sql.select().column("bytes").from(Self.chunks)
            .where("sha256", .equal, SQLBind(hash)).where("seq", .equal, SQLBind(seq))
            .first(decoding: Chunk.self)
        else { throw FileStoreDamaged(sha256: hash, seq: seq) }
        return row.bytes
    }
}

/// A file whose row is committed but a chunk is missing: only by hand in the database.
struct FileStoreDamaged: Error, CustomStringConvertible {
    let sha256: String, seq: Int
    var description: String { "stored file \(sha256) lacks chunk \(seq)" }
}
