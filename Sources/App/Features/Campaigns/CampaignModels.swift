import BangfuKit
import Fluent
import Foundation

/// An emergency 消纳 campaign: a quantity of a product from an area to absorb by a deadline, at no less than a
/// fair-price floor (保护价), usually opened from a warning.
final class Campaign: Model, @unchecked Sendable {
    static let schema = "campaigns"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Parent(key: "product_id") var product: MonitoredProduct
    @OptionalField(key: "warning_id") var warningID: Int?
    @Field(key: "title") var title: String
    @Field(key: "origin_region_code") var originRegionCode: String
    /// The quantity to absorb, in thousandths of the product's unit.
    @Field(key: "quantity_thousandths") var quantityThousandths: Int64
    /// The floor in 分 per the product's base unit.
    @Field(key: "floor_fen") var floorFen: Int64
    @Field(key: "deadline") var deadline: String
    /// open, closed.
    @Field(key: "status") var status: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A unit invited to a campaign, its place in the ranking with the reasons, and what it pledged (认购).
final class CampaignInvitation: Model, @unchecked Sendable {
    static let schema = "campaign_invitations"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "campaign_id") var campaign: Campaign
    @Parent(key: "buyer_unit_id") var buyerUnit: BuyerUnit
    @Field(key: "rank") var rank: Int
    @Field(key: "reasons") var reasons: String
    @OptionalField(key: "pledged_thousandths") var pledgedThousandths: Int64?
    @OptionalField(key: "pledged_at") var pledgedAt: Date?
    @Timestamp(key: "invited_at", on: .create) var invitedAt: Date?

    init() {}
}
