import Fluent

struct CreateOrganisations: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Office.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .create()
        try await db.schema(LeadSystem.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("lead_name", .string, .required)
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .create()
        try await db.schema(BuyerUnit.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .field("credit_code", .string)
            .field("is_budget_unit", .bool, .required)
            .field("has_canteen", .bool, .required)
            .field("has_five_into_duty", .bool, .required)
            .field("help_level", .string)
            .field("system_id", .int, .references(LeadSystem.schema, .id))
            .unique(on: "credit_code")
            .create()
        try await db.index("buyer_units_region", on: BuyerUnit.schema, "region_code")
        try await db.index("buyer_units_system", on: BuyerUnit.schema, "system_id")
    }
    func revert(on db: any Database) async throws {
        for schema in [BuyerUnit.schema, LeadSystem.schema, Office.schema] { try await db.schema(schema).delete() }
    }
}
