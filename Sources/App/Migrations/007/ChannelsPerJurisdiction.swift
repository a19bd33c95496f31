import Fluent
import FluentPostgresDriver
import SQLKit

/// A channel code was unique across the whole database; now each jurisdiction keeps its own list, so a code is
/// unique within a jurisdiction. SQLite cannot drop a table's constraint, so the table is rebuilt on both.
struct ChannelsPerJurisdiction: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await rebuild(on: db, unique: ["jurisdiction_code", "code"])
    }

    func revert(on db: any Database) async throws {
        try await rebuild(on: db, unique: ["code"])
    }

    private func rebuild(on db: any Database, unique: [FieldKey]) async throws {
        let sql = db as! any SQLDatabase
        try await db.schema("channels_rebuilt")
            .field(.id, .int, .identifier(auto: true))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("heading", .string, .required)
            .field("jurisdiction_code", .string, .required)
            .field("via_platform", .bool, .required)
            .constraint(.constraint(.unique(fields: unique.map { .key($0) }),
                                    name: "channels_unique_" + unique.map(\.description).joined(separator: "_")))
            .create()
        try await sql.raw("""
            INSERT INTO channels_rebuilt (id, code, name, heading, jurisdiction_code, via_platform)
            SELECT id, code, name, heading, jurisdiction_code, via_platform FROM channels
            """).run()
        try await db.schema(Channel.schema).delete()
        try await sql.raw("ALTER TABLE channels_rebuilt RENAME TO channels").run()
        if db is any PostgresDatabase {
            // Rows were copied with their ids: the identity continues after the largest.
            try await sql.raw("""
                SELECT setval(pg_get_serial_sequence('channels', 'id'), COALESCE((SELECT MAX(id) FROM channels), 0) + 1, false)
                """).run()
        }
    }
}
