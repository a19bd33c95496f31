import BangfuKit
import Fluent
import Foundation

/// A jurisdiction's sales channel (云阳 "六销", 832平台 …), grouped under its heading.
final class Channel: Model, @unchecked Sendable {
    static let schema = "channels"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "heading") var heading: String
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    /// Rows through a platform or hall are reported by it and count without proof (seed 000).
    @Field(key: "via_platform") var viaPlatform: Bool

    init() {}
    init(code: String, name: String, heading: String, jurisdiction: String, viaPlatform: Bool) {
        self.code = code; self.name = name; self.heading = heading; self.jurisdictionCode = jurisdiction; self.viaPlatform = viaPlatform
    }
}

/// One row of the 采购/销售台账.
final class Purchase: Model, @unchecked Sendable {
    static let schema = "purchases"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "buyer_unit_id") var buyerUnit: BuyerUnit
    @Field(key: "buyer_region_code") var buyerRegionCode: String     // denormalised for scoping
    @OptionalField(key: "buyer_system_id") var buyerSystemID: Int?
    @Field(key: "purchased_on") var purchasedOn: String
    /// The day whose period the row is booked in: its purchase day, or the day it was entered when that
    /// period is already closed. Rollups and locks go by it, so closed periods never change.
    @Field(key: "booked_on") var bookedOn: String
    @Field(key: "origin_region_code") var originRegionCode: String
    @OptionalParent(key: "supplier_id") var supplier: Supplier?
    @Field(key: "from_deep_poverty") var fromDeepPoverty: Bool     // 原深度贫困镇村
    @Field(key: "seller_masked") var sellerMasked: String
    @Field(key: "seller_key") var sellerKey: String                  // keyed hash of origin|seller
    @OptionalField(key: "households_touched") var householdsTouched: Int?
    @Field(key: "variety") var variety: String
    @Field(key: "quantity_thousandths") var quantityThousandths: Int64
    @Field(key: "quantity_unit") var quantityUnit: String
    @Field(key: "amount_fen") var amountFen: Int64
    @Field(key: "purpose") var purpose: String
    @Field(key: "channel_code") var channelCode: String
    @Field(key: "via_platform") var viaPlatform: Bool
    @Field(key: "source") var source: String
    /// A platform's order id: the same order is refused the second time.
    @OptionalField(key: "source_ref") var sourceRef: String?
    @Field(key: "reporter") var reporter: String
    @Field(key: "state") var state: String
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "suspected_duplicate_of") var suspectedDuplicateOf: Int?
    @OptionalField(key: "duplicate_of") var duplicateOf: Int?
    /// A reversing entry (冲正) points at the row it cancels; a correcting entry at the row it replaces.
    @OptionalField(key: "reverses_id") var reversesID: Int?
    @OptionalField(key: "replaces_id") var replacesID: Int?
    /// The row's 备注 as the report wrote it, with phone and ID numbers masked (it reaches pages and exports).
    @OptionalField(key: "note") var note: String?
    /// Facts taken from a linked duplicate: fact → the row it came from (`LinkedReports`), as JSON.
    @OptionalField(key: "provenance") var provenanceJSON: String?
    /// Why an office verified the row without a proof file (seed 000 asks for 证明材料).
    @OptionalField(key: "proof_waiver") var proofWaiver: String?
    /// The emergency 消纳 campaign the row delivers for, and why it was priced below the campaign's floor.
    @OptionalField(key: "campaign_id") var campaignID: Int?
    @OptionalField(key: "below_floor_reason") var belowFloorReason: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var provenance: [String: Int] {
        get { provenanceJSON.flatMap { try? JSONDecoder().decode([String: Int].self, from: Data($0.utf8)) } ?? [:] }
        set {
            provenanceJSON = newValue.isEmpty ? nil
                : (try? JSONEncoder().encode(newValue)).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    var counts: Bool {
        LedgerCounting.counts(viaPlatform: viaPlatform, state: VerificationState(rawValue: state)!, isDuplicate: duplicateOf != nil)
    }

    var awaitsCheck: Bool {
        LedgerCounting.awaitsCheck(viaPlatform: viaPlatform, state: VerificationState(rawValue: state)!,
                                   isReversal: reversesID != nil,
                                   isDuplicate: duplicateOf != nil)
    }
}

extension QueryBuilder<Purchase> {
    /// `LedgerCounting.awaitsCheck` as a filter: the verification queue (served by the partial index `purchases_awaiting`).
    @discardableResult func awaitingCheck() -> Self {
        filter(\.$state == VerificationState.pending.rawValue).filter(\.$viaPlatform == false).filter(\.$reversesID == nil)
            .filter(\.$duplicateOf == nil)
    }
}

/// Running totals kept in the same transaction as every ledger write, so dashboards never scan the ledger.
final class PurchaseRollup: Model, @unchecked Sendable {
    static let schema = "purchase_rollups"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "month") var month: String
    @Field(key: "buyer_unit_id") var buyerUnitID: Int
    @Field(key: "buyer_region_code") var buyerRegionCode: String
    @OptionalField(key: "buyer_system_id") var buyerSystemID: Int?
    @Field(key: "origin_township") var originTownship: String
    @Field(key: "deep_poverty") var deepPoverty: Bool
    @Field(key: "channel_code") var channelCode: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "counted") var counted: Bool
    @Field(key: "amount_fen") var amountFen: Int64
    @Field(key: "row_count") var rowCount: Int

    init() {}
}
