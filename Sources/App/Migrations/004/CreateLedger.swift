import Fluent
import SQLKit

struct CreateLedger: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Channel.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("heading", .string, .required)
            .field("jurisdiction_code", .string, .required)
            .field("via_platform", .bool, .required)
            .unique(on: "code")
            .create()
        try await db.schema(Purchase.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("buyer_unit_id", .int, .required, .references(BuyerUnit.schema, .id))
            .field("buyer_region_code", .string, .required)
            .field("buyer_system_id", .int)
            .field("purchased_on", .string, .required)
            .field("booked_on", .string, .required)
            .field("origin_region_code", .string, .required, .references(Region.schema, "code"))
            .field("supplier_id", .int, .references(Supplier.schema, .id))
            .field("from_deep_poverty", .bool, .required)
            .field("seller_masked", .string, .required)
            .field("seller_key", .string, .required)
            .field("households_touched", .int)
            .field("variety", .string, .required)
            .field("quantity_thousandths", .int64, .required)
            .field("quantity_unit", .string, .required)
            .field("amount_fen", .int64, .required)
            .field("purpose", .string, .required)
            .field("channel_code", .string, .required)
            .field("via_platform", .bool, .required)
            .field("source", .string, .required)
            .field("source_ref", .string)
            .field("reporter", .string, .required)
            .field("state", .string, .required)
            .field("reason", .string)
            .field("suspected_duplicate_of", .int)
            .field("duplicate_of", .int)
            .field("reverses_id", .int)
            .field("replaces_id", .int)
            .field("import_batch", .string)     // which import wrote the row: its rollups are summed once, at the end
            .field("created_at", .datetime)
            .unique(on: "source", "source_ref")
            .create()
        // No index on the origin: it is only ever filtered by prefix (LIKE), which neither SQLite (case-insensitive
        // LIKE) nor PostgreSQL (unless its collation is C) serves from a plain b-tree, so every row would pay for nothing.
        // Likely twins, and a unit's own rows. Every index is paid for by every imported row, so this one holds two
        // integers: a unit rarely pays the same amount twice, and the seller is compared on the few rows it finds.
        try await db.index("purchases_likely", on: Purchase.schema, "buyer_unit_id", "amount_fen")
        // The verification queue (`awaitingCheck`): only off-platform rows waiting for an office, so platform imports,
        // nearly all of the ledger, never write to it.
        try await db.index("purchases_awaiting", on: Purchase.schema, "id", where: "state = 'pending' AND via_platform = false")
        // A rollup table: its key columns (unique together, with `counted`), then the sum and the row count.
        func rollup(_ table: String, _ keys: [(String, DatabaseSchema.DataType)], unique: [String]) async throws {
            var schema = db.schema(table).field(.id, .int, .identifier(auto: true)).field("month", .string, .required)
            for (name, type) in keys {
                schema = name == "buyer_system_id" ? schema.field(.string(name), type) : schema.field(.string(name), type, .required)
            }
            try await schema.field("channel_code", .string, .required).field("purpose", .string, .required)
                .field("counted", .bool, .required).field("amount_fen", .int64, .required).field("row_count", .int, .required)
                .constraint(.constraint(.unique(fields: (["month"] + unique + ["channel_code", "purpose", "counted"]).map { .key(.string($0)) }), name: nil))
                .create()
        }
        let unit: [(String, DatabaseSchema.DataType)] = [("buyer_unit_id", .int), ("buyer_region_code", .string), ("buyer_system_id", .int)]
        try await rollup(PurchaseRollup.schema, unit + [("origin_township", .string), ("deep_poverty", .bool)],
                         unique: ["buyer_unit_id", "origin_township", "deep_poverty"])
        // Coarser grains for what reads every unit or every place: dashboards, progress, bulletins.
        try await rollup("unit_rollups", unit, unique: ["buyer_unit_id"])
        try await rollup("origin_rollups", [("origin_township", .string), ("deep_poverty", .bool)], unique: ["origin_township", "deep_poverty"])
        try await rollup("county_rollups", [("buyer_county", .string), ("origin_county", .string), ("deep_poverty", .bool)],
                         unique: ["buyer_county", "origin_county", "deep_poverty"])
        try await rollup("region_rollups", [("side", .string), ("region", .string), ("deep_poverty", .bool)], unique: ["side", "region", "deep_poverty"])
        // Every unit's year so far (progress, bulletins) is read in unit order from this index alone, without a sort.
        try await db.index("unit_rollups_by_unit", on: "unit_rollups", "counted", "buyer_unit_id", "buyer_region_code", "channel_code",
                           "purpose", "month", "amount_fen")
        // 利益联结: counted amounts of a year by the household (or cooperative) they reached, and the first month it was reached.
        try await db.schema("purchase_benefits")
            .field(.id, .int, .identifier(auto: true))
            .field("year", .int, .required)
            .field("first_month", .string, .required)
            .field("village_code", .string, .required)
            .field("seller_key", .string, .required)
            .field("households", .int, .required)
            .field("amount_fen", .int64, .required)
            .unique(on: "year", "village_code", "seller_key")
            .create()
    }

    func revert(on db: any Database) async throws {
        for s in ["purchase_benefits", "region_rollups", "county_rollups", "origin_rollups", "unit_rollups", PurchaseRollup.schema, Purchase.schema, Channel.schema] { try await db.schema(s).delete() }
    }
}
