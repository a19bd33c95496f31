import Fluent

struct CreateReconciliation: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LogisticsWaybill.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("carrier", .string, .required)
            .field("number", .string, .required)
            .field("shipped_on", .string, .required)
            .field("origin_code", .string, .required)
            .field("sender_address", .string, .required)
            .field("sender_masked", .string, .required)
            .field("receiver_unit_id", .int)
            .field("receiver_name", .string, .required)
            .field("item", .string, .required)
            .field("grams", .int64)
            .field("pieces", .int)
            .field("freight_fen", .int64)
            .field("imported_by", .string, .required)
            .unique(on: "carrier", "number")
            .create()
        try await db.index("logistics_by_origin", on: LogisticsWaybill.schema, "origin_code", "shipped_on")
        try await db.schema(ReconciliationLink.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("purchase_id", .int, .required)
            .field("other_kind", .string, .required)
            .field("other_id", .int, .required)
            .field("score", .int, .required)
            .field("reasons", .string, .required)
            .field("contradicts", .bool, .required)
            .field("ambiguous", .bool, .required)
            .field("status", .string, .required)
            .field("decided_by", .string)
            .field("origin_code", .string, .required)
            .unique(on: "purchase_id", "other_kind", "other_id")
            .create()
        try await db.schema(PurchaseOutcome.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("purchase_id", .int, .required)
            .field("outcome", .string, .required)
            .unique(on: "purchase_id")
            .create()
    }

    func revert(on db: any Database) async throws {
        for schema in [PurchaseOutcome.schema, ReconciliationLink.schema, LogisticsWaybill.schema] {
            try await db.schema(schema).delete()
        }
    }
}
