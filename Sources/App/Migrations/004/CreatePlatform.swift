import Fluent

struct CreatePlatform: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Platform.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("channel_code", .string, .required)
            .field("mapping", .string, .required)
            .unique(on: "code")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(Platform.schema).delete() }
}
