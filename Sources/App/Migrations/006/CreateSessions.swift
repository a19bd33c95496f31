import Fluent
import SQLKit

/// Replaces Fluent's session table, whose rows never expire and cannot be found by user.
struct CreateSessions: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(SessionStore.table)
            .field("id", .string, .identifier(auto: false))
            .field("data", .string, .required)
            .field("user_id", .int)
            .field("expires_at", .int64, .required)
            .create()
        try await db.index("sessions_by_user", on: SessionStore.table, "user_id")
        try await db.index("sessions_by_expiry", on: SessionStore.table, "expires_at")
        try await db.schema("_fluent_sessions").delete()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(SessionStore.table).delete()
    }
}

/// The account lock (a count and a time on the user) gives way to `LoginThrottle`: a stranger could lock anyone.
struct DropAccountLock: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column a statement: SQLite's ALTER TABLE drops one at a time.
        try await db.schema(User.schema).deleteField("failed_logins").update()
        try await db.schema(User.schema).deleteField("locked_until").update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(User.schema).field("failed_logins", .int, .required, .sql(.default(0))).update()
        try await db.schema(User.schema).field("locked_until", .datetime).update()
    }
}

/// Failed logins by key (an account at an address, or an address), for backoff instead of a lock.
struct CreateLoginThrottle: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LoginThrottle.table)
            .field("key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("blocked_until", .int64, .required)
            .field("updated_at", .int64, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(LoginThrottle.table).delete()
    }
}

/// One row every write transaction on SQLite updates first, so it holds the write lock from its start (see
/// `Database.writeTransaction`).
struct CreateWriteClaim: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("write_claim").field("id", .int, .identifier(auto: false)).field("n", .int64,
            .required).create()
        try await (db as! any SQLDatabase).raw("INSERT INTO write_claim (id, n) VALUES (1, 0)").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("write_claim").delete()
    }
}
