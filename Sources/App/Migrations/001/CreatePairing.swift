import Fluent

struct CreatePairing: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Pairing.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("helper_unit_id", .int, .references(BuyerUnit.schema, .id))
            .field("helper_region_code", .string, .references(Region.schema, "code"))
            .field("helped_region_code", .string, .required, .references(Region.schema, "code"))
            .field("starts_on", .string, .required)
            .field("ends_on", .string)
            .field("note", .string)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema(Pairing.schema).delete() }
}
