import Fluent

struct CreateCatalogue: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Offer.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .field("supplier_id", .int, .references(Supplier.schema, .id))
            .field("seller_sealed", .string, .required)
            .field("seller_masked", .string, .required)
            .field("offer_key", .string, .required)
            .field("category", .string, .required)
            .field("variety", .string, .required)
            .field("quantity_thousandths", .int64, .required)
            .field("quantity_unit", .string, .required)
            .field("price_fen", .int64, .required)
            .field("price_unit", .string)
            .field("supply_method", .string, .required)
            .field("shop_url", .string)
            .field("contact_name", .string, .required)
            .field("contact_phone", .string, .required)
            .field("quality_marks", .string, .required)
            .field("linked_households", .int)
            .field("note", .string)
            .field("updated_on", .string, .required)
            .field("source", .string, .required)
            .unique(on: "offer_key")
            .create()
        try await db.index("offers_region", on: Offer.schema, "region_code")
        try await db.index("offers_updated", on: Offer.schema, "updated_on")
        try await db.schema("offer_terms")
            .field(.id, .int, .identifier(auto: true))
            .field("term", .string, .required)
            .field("offer_id", .int, .required, .references(Offer.schema, .id, onDelete: .cascade))
            .create()
        try await db.index("offer_terms_term", on: "offer_terms", "term", "offer_id")
        try await db.index("offer_terms_offer", on: "offer_terms", "offer_id")
    }

    func revert(on db: any Database) async throws {
        try await db.schema("offer_terms").delete()
        try await db.schema(Offer.schema).delete()
    }
}
