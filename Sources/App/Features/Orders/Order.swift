import BangfuKit
import Fluent
import Foundation

/// An online order (线上采购): one buyer unit, one seller, lines of that seller's offers, freight as the buyer's own
/// line. Its state follows `OrderFlow`; its payment is kept beside it.
final class Order: Model, @unchecked Sendable {
    static let schema = "orders"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "buyer_unit_id") var buyerUnit: BuyerUnit
    @Field(key: "buyer_region_code") var buyerRegionCode: String     // denormalised for scoping
    @OptionalField(key: "buyer_system_id") var buyerSystemID: Int?
    @OptionalField(key: "need_id") var needID: Int?
    @OptionalField(key: "quote_id") var quoteID: Int?
    @OptionalField(key: "supplier_id") var supplierID: Int?
    @Field(key: "seller_region_code") var sellerRegionCode: String
    @Field(key: "seller_masked") var sellerMasked: String
    @Field(key: "state") var state: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "goods_fen") var goodsFen: Int64
    @Field(key: "freight_fen") var freightFen: Int64
    @OptionalField(key: "accepted_fen") var acceptedFen: Int64?
    @Field(key: "payment_state") var paymentState: String
    @OptionalField(key: "payment_reference") var paymentReference: String?
    @OptionalField(key: "paid_on") var paidOn: String?
    @OptionalField(key: "receipt_confirmed_by") var receiptConfirmedBy: String?
    @Field(key: "delivery_region_code") var deliveryRegionCode: String
    @Field(key: "delivery_address") var deliveryAddress: String
    /// A client's key for one click: the same key from the same unit returns the first order, never a second.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    @Field(key: "placed_on") var placedOn: String
    @Field(key: "placed_by") var placedBy: String
    @OptionalField(key: "accepted_on") var acceptedOn: String?
    @OptionalField(key: "evaluation_score") var evaluationScore: Int?
    @OptionalField(key: "evaluation_text") var evaluationText: String?
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    @OptionalField(key: "refund_reason") var refundReason: String?
    /// The day its ledger rows were written (nil: not yet, "未完成").
    @OptionalField(key: "ledger_on") var ledgerOn: String?
    @Children(for: \.$order) var lines: [OrderLine]

    init() {}

    var orderState: OrderState { OrderState(rawValue: state) ?? .placed }
    var payment: PaymentState { PaymentState(rawValue: paymentState) ?? .unpaid }
}

/// One line of an order: an offer, the quantity and unit price agreed, and what the buyer accepted of it.
final class OrderLine: Model, @unchecked Sendable {
    static let schema = "order_lines"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "order_id") var order: Order
    @Field(key: "offer_id") var offerID: Int
    @Field(key: "variety") var variety: String
    @Field(key: "quantity_thousandths") var quantityThousandths: Int64
    @Field(key: "quantity_unit") var quantityUnit: String
    @Field(key: "unit_price_fen") var unitPriceFen: Int64
    @Field(key: "amount_fen") var amountFen: Int64
    @OptionalField(key: "accepted_thousandths") var acceptedThousandths: Int64?
    @OptionalField(key: "accepted_fen") var acceptedFen: Int64?
    @OptionalField(key: "shortfall_reason") var shortfallReason: String?
    /// The offer's certification when the order was placed (产品追溯), if it had one.
    @OptionalField(key: "certification_id") var certificationID: Int?
    @OptionalField(key: "purchase_id") var purchaseID: Int?

    init() {}

    var quantity: Quantity { Quantity(thousandths: quantityThousandths, unit: quantityUnit) }
}

/// A shipment's waybill (运单): a carrier's number, never used for two orders.
final class WaybillRecord: Model, @unchecked Sendable {
    static let schema = "waybills"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "order_id") var orderID: Int
    @Field(key: "carrier") var carrier: String
    @Field(key: "number") var number: String
    @Field(key: "shipped_on") var shippedOn: String

    init() {}
}

/// 物流跟踪: one event of a waybill, from a carrier's file or pushed to the API. The same event twice is one.
final class TrackingEvent: Model, @unchecked Sendable {
    static let schema = "tracking_events"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "waybill_id") var waybillID: Int
    @Field(key: "at") var at: String
    @Field(key: "place") var place: String
    @Field(key: "status") var status: String
    @Field(key: "source") var source: String

    init() {}
}

/// Every step of an order: what, by whom, when, and why when it says.
final class OrderStep: Model, @unchecked Sendable {
    static let schema = "order_steps"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "order_id") var orderID: Int
    @Field(key: "step") var step: String
    @Field(key: "by_name") var byName: String
    @Field(key: "at") var at: Date
    @OptionalField(key: "note") var note: String?

    init() {}
}

/// A seller's answer to a need (报价): an offer of theirs at a price, for a quantity.
final class Quote: Model, @unchecked Sendable {
    static let schema = "quotes"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "need_id") var needID: Int
    @Field(key: "offer_id") var offerID: Int
    @Field(key: "unit_price_fen") var unitPriceFen: Int64
    @Field(key: "quantity_thousandths") var quantityThousandths: Int64
    @Field(key: "quantity_unit") var quantityUnit: String
    @OptionalField(key: "note") var note: String?
    @Field(key: "state") var state: String       // open, ordered
    @Field(key: "by_name") var byName: String

    init() {}

    var quantity: Quantity { Quantity(thousandths: quantityThousandths, unit: quantityUnit) }
}

/// A carrier's column mapping, kept as data (`CarrierMapping`).
final class Carrier: Model, @unchecked Sendable {
    static let schema = "carriers"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    @Field(key: "mapping") var mappingJSON: String

    init() {}

    var mapping: CarrierMapping? { try? JSONDecoder().decode(CarrierMapping.self, from: Data(mappingJSON.utf8)) }
}

extension Order: Scoped {
    /// An office sees the orders its region's units place and its region's sellers receive; a unit, a system and
    /// a supplier their own.
    static func restrict(_ q: QueryBuilder<Order>, to scope: Scope) -> QueryBuilder<Order>? {
        switch scope {
        case .region(let r):
            q.group(.or) {
                $0.filter(\.$buyerRegionCode =~ r.subtreePrefix).filter(\.$sellerRegionCode =~ r.subtreePrefix)
            }
        case .system(let id): q.filter(\.$buyerSystemID == id)
        case .buyerUnit(let id): q.filter(\.$buyerUnit.$id == id)
        case .supplier(let id): q.filter(\.$supplierID == id)
        default: nil
        }
    }
}
