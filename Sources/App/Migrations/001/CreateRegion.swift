import Fluent

struct CreateRegion: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Region.schema)
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .int, .required)
            .field("parent_code", .string)
            .field("is_lifted_county", .bool, .required)
            .field("is_deep_poverty", .bool, .required)
            .field("is_helped_village", .bool, .required)
            .field("is_illustrative", .bool, .required)
            .create()
        try await db.index("regions_parent", on: Region.schema, "parent_code")
    }
    func revert(on db: any Database) async throws { try await db.schema(Region.schema).delete() }
}
