import Fluent
import Foundation

/// 投诉举报 from anyone, about an offer or a supplier; the county office investigates and replies.
final class Complaint: Model, @unchecked Sendable {
    static let schema = "complaints"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @OptionalParent(key: "offer_id") var offer: Offer?
    @OptionalParent(key: "supplier_id") var supplier: Supplier?
    @Field(key: "region_code") var regionCode: String
    @Field(key: "content") var content: String
    @OptionalField(key: "evidence") var evidence: String?
    @Field(key: "contact_name") var contactName: String
    @Field(key: "contact_phone_sealed") var contactPhoneSealed: String
    @Field(key: "contact_phone_masked") var contactPhoneMasked: String
    @Field(key: "status") var status: String          // open / closed
    @OptionalField(key: "reply") var reply: String?
    @Field(key: "due_on") var dueOn: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}
}
