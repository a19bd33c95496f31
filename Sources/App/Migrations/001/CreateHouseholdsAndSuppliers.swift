import Fluent

struct CreateHouseholdsAndSuppliers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Household.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .field("status", .string, .required)
            .field("name_sealed", .string, .required)
            .field("name_masked", .string, .required)
            .field("id_sealed", .string, .required)
            .field("id_masked", .string, .required)
            .field("id_lookup", .string, .required)
            .field("phone_sealed", .string)
            .field("phone_masked", .string)
            .field("members", .int, .required)
            .unique(on: "id_lookup")
            .create()
        try await db.index("households_region", on: Household.schema, "region_code")
        try await db.schema(Supplier.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("region_code", .string, .required, .references(Region.schema, "code"))
            .field("credit_code", .string)
            .field("contact_name", .string)
            .field("contact_phone", .string)
            .field("household_id", .int, .references(Household.schema, .id))
            .unique(on: "credit_code")
            .create()
        try await db.index("suppliers_region", on: Supplier.schema, "region_code")
        try await db.schema(SupplierHousehold.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("supplier_id", .int, .required, .references(Supplier.schema, .id))
            .field("household_id", .int, .required, .references(Household.schema, .id))
            .unique(on: "supplier_id", "household_id")
            .create()
    }
    func revert(on db: any Database) async throws {
        for schema in [SupplierHousehold.schema, Supplier.schema, Household.schema] { try await db.schema(schema).delete() }
    }
}
