import Fluent

struct CreateUserAndToken: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(User.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("region_code", .string, .references(Region.schema, "code"))
            .field("system_id", .int, .references(LeadSystem.schema, .id))
            .field("buyer_unit_id", .int, .references(BuyerUnit.schema, .id))
            .field("supplier_id", .int, .references(Supplier.schema, .id))
            .field("office_id", .int, .references(Office.schema, .id))
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("is_active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
        try await db.schema(APIToken.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references(User.schema, .id))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema(APIToken.schema).delete()
        try await db.schema(User.schema).delete()
    }
}
