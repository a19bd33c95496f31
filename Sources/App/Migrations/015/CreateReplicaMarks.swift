import Fluent

/// Issue 18: when each user last wrote, so a token client (no cookie) also reads its own writes from the primary.
struct CreateReplicaMarks: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(ReplicaRouting.marks)
            .field("user_id", .int, .identifier(auto: false))
            .field("wrote_at", .int64, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(ReplicaRouting.marks).delete()
    }
}
