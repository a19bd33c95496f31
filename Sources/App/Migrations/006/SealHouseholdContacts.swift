import Fluent

/// Also: households keyed by county (`Household.setLookups`).
/// A household's supply contact (its own name and phone) is sealed like the rest of its identity; the plain
/// columns keep only the mask. Rows written before this are sealed by `ContactLine.sealStoredHouseholdContacts`
/// at start-up, which needs the data key that migrations do not have.
struct SealHouseholdContacts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Offer.schema).field("contact_sealed", .string).update()
        try await db.schema(Supplier.schema).field("contact_sealed", .string).update()
        try await db.schema(Household.schema).field("person_lookup", .string).update()
        try await db.index("households_by_person", on: Household.schema, "person_lookup")
    }

    func revert(on db: any Database) async throws {
        try await db.schema(Offer.schema).deleteField("contact_sealed").update()
        try await db.schema(Supplier.schema).deleteField("contact_sealed").update()
        try await db.schema(Household.schema).deleteField("person_lookup").update()
    }
}
