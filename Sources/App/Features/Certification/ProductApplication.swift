import BangfuKit
import Fluent
import Foundation

/// An application for 帮扶产品认定 and, once certified, the certificate.
final class ProductApplication: Model, @unchecked Sendable {
    static let schema = "product_applications"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "offer_id") var offer: Offer
    @OptionalParent(key: "supplier_id") var supplier: Supplier?
    @Field(key: "region_code") var regionCode: String
    @Field(key: "product_name") var productName: String
    @Field(key: "documents") var documents: String
    @Field(key: "state") var state: String
    @OptionalField(key: "publicity_ends") var publicityEnds: String?
    @OptionalField(key: "valid_from") var validFrom: String?
    @OptionalField(key: "valid_until") var validUntil: String?
    @OptionalField(key: "certificate_no") var certificateNo: String?
    @OptionalField(key: "reason") var reason: String?
    @Timestamp(key: "applied_at", on: .create) var appliedAt: Date?

    init() {}

    var record: CertificationRecord {
        get {
            CertificationRecord(state: CertificationState(rawValue: state)!, publicityEnds: publicityEnds.flatMap(LocalDate.init),
                                validFrom: validFrom.flatMap(LocalDate.init), validUntil: validUntil.flatMap(LocalDate.init), reason: reason)
        }
        set {
            state = newValue.state.rawValue; publicityEnds = newValue.publicityEnds?.description
            validFrom = newValue.validFrom?.description; validUntil = newValue.validUntil?.description; reason = newValue.reason
        }
    }
}

/// Each step an application took: who, when, from which state to which, why.
final class CertificationStep: Model, @unchecked Sendable {
    static let schema = "certification_steps"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "application_id") var application: ProductApplication
    @Field(key: "event") var event: String
    @Field(key: "from_state") var fromState: String
    @Field(key: "to_state") var toState: String
    @OptionalField(key: "reason") var reason: String?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "at") var at: Date

    init() {}
}

/// 黑名单: an entity barred from listing and applying, with reason and period.
final class BlacklistEntry: Model, @unchecked Sendable {
    static let schema = "blacklist_entries"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "supplier_id") var supplier: Supplier
    @Field(key: "region_code") var regionCode: String
    @Field(key: "reason") var reason: String
    @Field(key: "starts_on") var startsOn: String
    @OptionalField(key: "ends_on") var endsOn: String?
    @OptionalField(key: "lifted_at") var liftedAt: Date?

    init() {}
}
