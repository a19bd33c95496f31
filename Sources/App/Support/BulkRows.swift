import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation

/// Writes an import's rows past the ORM and SQLKit's per-value encoding, an import's hot path: PostgreSQL takes them
/// as one `COPY … FROM STDIN` stream, SQLite as multi-row inserts bound with its own values. Columns left out keep
/// their defaults (an id, a NULL).
enum BulkRows {
    /// One value of a row, in the columns' order.
    enum Cell: Sendable {
        case int(Int?)
        case text(String?)
        case bool(Bool)
        case date(Date)
    }

    static func write(_ rows: [[Cell]], into table: String, columns: [String], on db: any Database) async throws {
        guard !rows.isEmpty else { return }
        if let pg = db as? any PostgresDatabase {
            try await copy(rows, into: table, columns: columns, on: pg)
        } else {
            try await insert(rows, into: table, columns: columns, on: db as! any SQLiteDatabase)
        }
    }

    /// 500 rows a statement: within SQLite's 32,766 binds for up to 65 columns.
    private static func insert(_ rows: [[Cell]], into table: String, columns: [String],
                               on db: any SQLiteDatabase) async throws {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        for slice in rows.chunked(500) {
            var binds: [SQLiteData] = []
            binds.reserveCapacity(slice.count * columns.count)
            for row in slice {
                binds.append(contentsOf: row.map(sqlite))
            }
            let values = Array(repeating: placeholders, count: slice.count).joined(separator: ",")
            _ = try await db.query("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(values)", binds)
        }
    }

    private static func sqlite(_ cell: Cell) -> SQLiteData {
        switch cell {
        case .int(let v): v.map { .integer($0) } ?? .null
        case .text(let v): v.map { .text($0) } ?? .null
        case .bool(let v): .integer(v ? 1 : 0)
        case .date(let v): v.sqliteData ?? .null
        }
    }

    /// COPY's text format: tab between values, `\N` for NULL, and backslash escapes for the four characters it
    /// reserves.
    private static func copy(_ rows: [[Cell]], into table: String, columns: [String],
                             on db: any PostgresDatabase) async throws {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(rows.count * columns.count * 16)  // a guess: listing terms are four short values
        var stamp: (Date, String)?  // an import's rows share their time: formatted once
        for row in rows {
            for (i, cell) in row.enumerated() {
                if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                switch cell {
                case .int(let v): buffer.writeString(v.map(String.init) ?? "\\N")
                case .text(let v): buffer.writeString(v.map(escaped) ?? "\\N")
                case .bool(let v): buffer.writeString(v ? "t" : "f")
                case .date(let v):
                    let text = stamp.flatMap { $0.0 == v ? $0.1 : nil } ?? v.formatted(.iso8601)
                    stamp = (v, text)
                    buffer.writeString(text)
                }
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        let data = buffer
        let logger = db.logger
        try await db.withConnection { conn in
            conn.eventLoop.makeFutureWithTask {
                try await conn.copyFrom(table: table, columns: columns, logger: logger) { try await $0.write(data) }
            }
        }.get()
    }

    private static func escaped(_ s: String) -> String {
        guard s.utf8.contains(where: isReserved) else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    private static func isReserved(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t")
            || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
