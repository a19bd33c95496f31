import Fluent

/// A household's supply contact (its own name and phone) is sealed like the rest of its identity; the plain
/// columns keep only the mask. Households are keyed by county (`Household.setLookups`). Rows written before this
/// are converted here, once, with the data key the migration is given: on `serve` and `bangfu migrate` alike.
struct SealHouseholdContacts: AsyncMigration {
    let cipher: FieldCipher

    func prepare(on db: any Database) async throws {
        try await db.schema(Offer.schema).field("contact_sealed", .string).update()
        try await db.schema(Supplier.schema).field("contact_sealed", .string).update()
        try await db.schema(Household.schema).field("person_lookup", .string).update()
        try await db.index("households_by_person", on: Household.schema, "person_lookup")
        try await ContactLine.sealStoredHouseholdContacts(on: db, cipher: cipher)
        try await Household.keyByCounty(on: db, cipher: cipher)
    }

    func revert(on db: any Database) async throws {
        try await db.schema(Offer.schema).deleteField("contact_sealed").update()
        try await db.schema(Supplier.schema).deleteField("contact_sealed").update()
        try await db.schema(Household.schema).deleteField("person_lookup").update()
    }
}
