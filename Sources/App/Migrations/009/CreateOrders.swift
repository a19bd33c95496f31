import BangfuKit
import Fluent

struct CreateOrders: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Order.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("buyer_unit_id", .int, .required, .references(BuyerUnit.schema, .id))
            .field("buyer_region_code", .string, .required)
            .field("buyer_system_id", .int)
            .field("need_id", .int)
            .field("quote_id", .int)
            .field("supplier_id", .int)
            .field("seller_region_code", .string, .required)
            .field("seller_masked", .string, .required)
            .field("state", .string, .required)
            .field("purpose", .string, .required)
            .field("goods_fen", .int64, .required)
            .field("freight_fen", .int64, .required)
            .field("accepted_fen", .int64)
            .field("payment_state", .string, .required)
            .field("payment_reference", .string)
            .field("paid_on", .string)
            .field("receipt_confirmed_by", .string)
            .field("delivery_region_code", .string, .required)
            .field("delivery_address", .string, .required)
            .field("idempotency_key", .string)
            .field("placed_on", .string, .required)
            .field("placed_by", .string, .required)
            .field("accepted_on", .string)
            .field("evaluation_score", .int)
            .field("evaluation_text", .string)
            .field("cancel_reason", .string)
            .field("refund_reason", .string)
            .field("ledger_on", .string)
            .unique(on: "buyer_unit_id", "idempotency_key")
            .create()
        try await db.index("orders_by_buyer", on: Order.schema, "buyer_unit_id", "state")
        try await db.index("orders_by_supplier", on: Order.schema, "supplier_id", "state")
        try await db.index("orders_by_seller_region", on: Order.schema, "seller_region_code")
        try await db.schema(OrderLine.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("order_id", .int, .required, .references(Order.schema, .id))
            .field("offer_id", .int, .required, .references(Offer.schema, .id))
            .field("variety", .string, .required)
            .field("quantity_thousandths", .int64, .required)
            .field("quantity_unit", .string, .required)
            .field("unit_price_fen", .int64, .required)
            .field("amount_fen", .int64, .required)
            .field("accepted_thousandths", .int64)
            .field("accepted_fen", .int64)
            .field("shortfall_reason", .string)
            .field("certification_id", .int)
            .field("purchase_id", .int)
            .create()
        try await db.index("order_lines_by_order", on: OrderLine.schema, "order_id")
        try await db.index("order_lines_by_purchase", on: OrderLine.schema, "purchase_id")
        try await db.schema(Offer.schema).field("reserved_thousandths", .int64, .required, .sql(.default(0))).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(OrderLine.schema).delete()
        try await db.schema(Order.schema).delete()
    }
}

struct CreateOrderLogistics: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(WaybillRecord.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("order_id", .int, .required, .references(Order.schema, .id))
            .field("carrier", .string, .required)
            .field("number", .string, .required)
            .field("shipped_on", .string, .required)
            .unique(on: "carrier", "number")
            .create()
        try await db.index("waybills_by_number", on: WaybillRecord.schema, "number")
        try await db.schema(TrackingEvent.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("waybill_id", .int, .required, .references(WaybillRecord.schema, .id))
            .field("at", .string, .required)
            .field("place", .string, .required)
            .field("status", .string, .required)
            .field("source", .string, .required)
            .unique(on: "waybill_id", "at", "status")
            .create()
        try await db.schema(OrderStep.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("order_id", .int, .required, .references(Order.schema, .id))
            .field("step", .string, .required)
            .field("by_name", .string, .required)
            .field("at", .datetime, .required)
            .field("note", .string)
            .create()
        try await db.index("order_steps_by_order", on: OrderStep.schema, "order_id")
        try await db.schema(Quote.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("need_id", .int, .required, .references(Need.schema, .id))
            .field("offer_id", .int, .required, .references(Offer.schema, .id))
            .field("unit_price_fen", .int64, .required)
            .field("quantity_thousandths", .int64, .required)
            .field("quantity_unit", .string, .required)
            .field("note", .string)
            .field("state", .string, .required)
            .field("by_name", .string, .required)
            .unique(on: "need_id", "offer_id")
            .create()
        try await db.schema(Carrier.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("mapping", .string, .required)
            .unique(on: "name")
            .create()
        for preset in CarrierMapping.presets {
            try await CarrierController.row(preset).create(on: db)
        }
    }

    func revert(on db: any Database) async throws {
        for schema in [Carrier.schema, Quote.schema, OrderStep.schema, TrackingEvent.schema, WaybillRecord.schema] {
            try await db.schema(schema).delete()
        }
    }
}

struct AddOrderSettings: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LedgerSettings.schema)
            .field("order_rule", .string, .required, .sql(.default("platform832")))
            .update()
        try await db.schema(LedgerSettings.schema)
            .field("payment_days", .int, .required, .sql(.default(30)))
            .update()
        try await db.schema(Need.schema).field("marks", .string, .required, .sql(.default(""))).update()
        try await db.schema(Need.schema).field("purpose", .string, .required, .sql(.default("canteen"))).update()
    }

    func revert(on db: any Database) async throws {}
}

/// Each open need's first offers under the rule, as the last re-match left them (`NeedRematch`).
struct CreateNeedMatches: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("need_matches")
            .field("need_id", .int, .required)
            .field("offer_id", .int, .required)
            .field("rank", .int, .required)
            .field("tier", .int, .required)
            .create()
        try await db.index("need_matches_by_offer", on: "need_matches", "offer_id")
        try await db.index("need_matches_by_need", on: "need_matches", "need_id", "rank")
    }

    func revert(on db: any Database) async throws {
        try await db.schema("need_matches").delete()
    }
}
