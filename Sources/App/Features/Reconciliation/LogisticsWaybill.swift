import BangfuKit
import Fluent

/// A carrier's shipment (物流数据): the third source of 三方对账. The sender's name is kept only as a mask.
final class LogisticsWaybill: Model, @unchecked Sendable {
    static let schema = "logistics_waybills"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "carrier") var carrier: String
    @Field(key: "number") var number: String
    @Field(key: "shipped_on") var shippedOn: String
    /// The sender's place, resolved from its address (a township or a village).
    @Field(key: "origin_code") var originCode: String
    @Field(key: "sender_address") var senderAddress: String
    @Field(key: "sender_masked") var senderMasked: String
    @OptionalField(key: "receiver_unit_id") var receiverUnitID: Int?
    @Field(key: "receiver_name") var receiverName: String
    @Field(key: "item") var item: String
    @OptionalField(key: "grams") var grams: Int64?
    @OptionalField(key: "pieces") var pieces: Int?
    @OptionalField(key: "freight_fen") var freightFen: Int64?
    @Field(key: "imported_by") var importedBy: String

    init() {}
}

/// A proposed (or decided) link between a ledger row and another row or a waybill, with why.
final class ReconciliationLink: Model, @unchecked Sendable {
    static let schema = "reconciliation_links"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "purchase_id") var purchaseID: Int
    @Field(key: "other_kind") var otherKind: String          // purchase, waybill
    @Field(key: "other_id") var otherID: Int
    @Field(key: "score") var score: Int
    @Field(key: "reasons") var reasons: String                // 、-joined
    @Field(key: "contradicts") var contradicts: Bool
    @Field(key: "ambiguous") var ambiguous: Bool
    @Field(key: "status") var status: String                  // proposed, confirmed, rejected
    @OptionalField(key: "decided_by") var decidedBy: String?
    @Field(key: "origin_code") var originCode: String          // the row's origin, for scoping

    init() {}
}

/// A ledger row's outcome in its last reconciliation.
final class PurchaseOutcome: Model, @unchecked Sendable {
    static let schema = "purchase_outcomes"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "purchase_id") var purchaseID: Int
    @Field(key: "outcome") var outcome: String
    /// A decision or a rejection since changed what it follows from: the next run re-reads its block.
    @Field(key: "stale") var stale: Bool

    init() {}
}

extension ReconciliationLink: Scoped {
    static func restrict(_ q: QueryBuilder<ReconciliationLink>, to scope: Scope) -> QueryBuilder<ReconciliationLink>? {
        if case .region(let r) = scope { return q.filter(\.$originCode =~ r.subtreePrefix) }
        return nil
    }
}

extension LogisticsWaybill: Scoped {
    static func restrict(_ q: QueryBuilder<LogisticsWaybill>, to scope: Scope) -> QueryBuilder<LogisticsWaybill>? {
        if case .region(let r) = scope { return q.filter(\.$originCode =~ r.subtreePrefix) }
        return nil
    }
}
