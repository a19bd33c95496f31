import Fluent

struct CreateNeeds: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Need.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("buyer_unit_id", .int, .required, .references(BuyerUnit.schema, .id))
            .field("buyer_region_code", .string, .required)
            .field("buyer_system_id", .int)
            .field("variety", .string, .required)
            .field("quantity_thousandths", .int64, .required)
            .field("quantity_unit", .string, .required)
            .field("price_ceiling_fen", .int64)
            .field("certified_only", .bool, .required)
            .field("delivery_region_code", .string, .required)
            .field("delivery_address", .string, .required)
            .field("window_from", .string, .required)
            .field("window_to", .string, .required)
            .field("every_days", .int)
            .field("state", .string, .required)
            .field("posted_by", .string, .required)
            .create()
        try await db.index("needs_by_buyer", on: Need.schema, "buyer_unit_id")
        try await db.index("offers_by_variety", on: Offer.schema, "variety")
    }

    func revert(on db: any Database) async throws {
        try await db.schema(Need.schema).delete()
    }
}
