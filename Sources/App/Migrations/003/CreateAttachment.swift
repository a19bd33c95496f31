import Fluent

struct CreateAttachment: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Attachment.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("sha256", .string, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("entity", .string, .required)
            .field("entity_id", .int, .required)
            .field("region_code", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.index("attachments_entity", on: Attachment.schema, "entity", "entity_id")
    }
    func revert(on db: any Database) async throws { try await db.schema(Attachment.schema).delete() }
}
