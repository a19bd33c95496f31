import Fluent

/// A ledger row keeps its 备注, the facts it took from a linked duplicate and why it was verified without proof.
struct AddLedgerFacts: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column a statement: SQLite's ALTER TABLE adds one at a time.
        try await db.schema(Purchase.schema).field("note", .string).update()
        try await db.schema(Purchase.schema).field("provenance", .string).update()
        try await db.schema(Purchase.schema).field("proof_waiver", .string).update()
    }

    func revert(on db: any Database) async throws {
        for column in ["note", "provenance", "proof_waiver"] {
            try await db.schema(Purchase.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}

/// Per jurisdiction: whether a row may be verified without a proof file at all.
struct CreateLedgerSettings: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LedgerSettings.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("proof_mandatory", .bool, .required)
            .unique(on: "jurisdiction_code")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(LedgerSettings.schema).delete()
    }
}

/// A pairing that names a village counts that village (`match_township` widens it to its township); a pairing
/// across counties is proposed by one side and counts once the other side (or a common parent) confirms it.
struct AddPairingMatch: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Pairing.schema).field("match_township", .bool, .required, .sql(.default(false))).update()
        try await db.schema(Pairing.schema).field("status", .string, .required, .sql(.default("confirmed"))).update()
        try await db.schema(Pairing.schema).field("proposed_by", .string).update()
        try await db.schema(Pairing.schema).field("confirmed_by", .string).update()
    }

    func revert(on db: any Database) async throws {
        for column in ["match_township", "status", "proposed_by", "confirmed_by"] {
            try await db.schema(Pairing.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}

/// The names offices write for a unit (云阳县教委 for 云阳县教育委员会), unique within the unit's county.
struct CreateUnitAliases: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(UnitAlias.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("buyer_unit_id", .int, .required, .references(BuyerUnit.schema, .id, onDelete: .cascade))
            .field("county_code", .string, .required)
            .field("alias", .string, .required)
            .unique(on: "county_code", "alias")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(UnitAlias.schema).delete()
    }
}
