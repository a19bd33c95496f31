import Fluent
import SQLKit

struct CreateAuditEntry: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(AuditEntry.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("actor_user_id", .int)
            .field("actor_name", .string, .required)
            .field("ip", .string, .required)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .string)
            .field("region_code", .string)
            .field("before", .string)
            .field("after", .string)
            .create()
        try await db.index("audit_region", on: AuditEntry.schema, "region_code")
        try await appendOnly(db)
    }

    /// The trail refuses UPDATE and DELETE in the database itself, not only in the app.
    private func appendOnly(_ db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END; $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries
                FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()
                """).run()
        } else {
            for op in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER audit_entries_no_\(unsafeRaw: op.lowercased()) BEFORE \(unsafeRaw: op) ON audit_entries
                    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END
                    """).run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        try await db.schema(AuditEntry.schema).delete()
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP FUNCTION IF EXISTS audit_entries_append_only()").run()
        }
    }
}
