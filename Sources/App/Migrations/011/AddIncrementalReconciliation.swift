import Fluent
import SQLKit

/// A run remembers the last row and waybill it saw for its scope and period, and an outcome an office's decision
/// (or a rejection) has made stale is marked, so a re-run reads only the blocks where something changed.
struct AddIncrementalReconciliation: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(ReconciliationRun.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("region_prefix", .string, .required)
            .field("from_day", .string, .required)
            .field("to_day", .string, .required)
            .field("last_purchase_id", .int, .required)
            .field("last_waybill_id", .int, .required)
            .unique(on: "region_prefix", "from_day", "to_day")
            .create()
        try await db.schema(PurchaseOutcome.schema).field("stale", .bool, .required, .sql(.default(false))).update()
        // A block's run also clears the open links other runs made to its rows and waybills.
        try await db.index("links_by_other", on: ReconciliationLink.schema, "other_id", "other_kind")
        try await db.index("outcomes_stale", on: PurchaseOutcome.schema, "purchase_id", where: "stale")
        // A run reads a township at a time by range (origin >= township AND origin < next): a b-tree serves a range
        // on both databases, where it cannot serve LIKE.
        try await db.index("purchases_by_origin", on: Purchase.schema, "origin_region_code", "purchased_on")
        // Whether a row still stands is asked of every row read: only corrections carry this, so imports pay nothing.
        try await db.index("purchases_reversals", on: Purchase.schema, "reverses_id", where: "reverses_id IS NOT NULL")
    }

    func revert(on db: any Database) async throws {
        try await db.schema(ReconciliationRun.schema).delete()
    }
}

/// Flags carry the region their rows share (a township sees its own); a jurisdiction may rule that uncertified
/// products do not count; a cooperative may weight its households.
struct AddLedgerPolicies: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LedgerFlag.schema).field("region_code", .string, .required, .sql(.default(""))).update()
        try await (db as! any SQLDatabase).raw("UPDATE ledger_flags SET region_code = jurisdiction_code").run()
        // A scan finds what it found before by key; a township reads its own by region.
        try await db.index("flags_by_key", on: LedgerFlag.schema, "flag_key")
        try await db.index("flags_by_region", on: LedgerFlag.schema, "region_code")
        // Null: as the jurisdiction above says (a place that never chose follows its province's rule).
        try await db.schema(LedgerSettings.schema).field("uncertified_counts", .bool).update()
        try await db.schema(SupplierHousehold.schema).field("weight", .int, .required, .sql(.default(1))).update()
    }

    func revert(on db: any Database) async throws {}
}
