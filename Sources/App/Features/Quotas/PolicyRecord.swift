import BangfuKit
import Fluent
import Foundation

/// A policy an office adopted for its jurisdiction and year; the rules are kept as the domain's JSON.
final class PolicyRecord: Model, @unchecked Sendable {
    static let schema = "policies"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "year") var year: Int
    @Field(key: "name") var name: String
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "ends_on") var endsOn: String
    @Field(key: "rules") var rulesJSON: String
    @OptionalField(key: "preset") var preset: String?

    init() {}
    init(_ p: Policy, preset: String?) throws {
        jurisdictionCode = p.jurisdiction.digits; year = p.year; name = p.name
        startsOn = p.startsOn.description; endsOn = p.endsOn.description; self.preset = preset
        rulesJSON = String(decoding: try JSONEncoder().encode(p.rules), as: UTF8.self)
    }

    var policy: Policy {
        get throws {
            Policy(name: name, jurisdiction: RegionCode(jurisdictionCode)!, year: year, startsOn: LocalDate(startsOn)!,
                   endsOn: LocalDate(endsOn)!, rules: try JSONDecoder().decode([Rule].self, from: Data(rulesJSON.utf8)))
        }
    }
}

/// 申报基数: what a unit declares for a year (canteen purchases, union welfare budget, members …).
final class DeclarationRecord: Model, @unchecked Sendable {
    static let schema = "declarations"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "buyer_unit_id") var buyerUnit: BuyerUnit
    @Field(key: "buyer_region_code") var buyerRegionCode: String
    @OptionalField(key: "buyer_system_id") var buyerSystemID: Int?
    @Field(key: "year") var year: Int
    @Field(key: "kind") var kind: String
    @Field(key: "value") var value: Int64       // fen, or persons for union members
    @Field(key: "declared_by") var declaredBy: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// A published quarterly bulletin (季度通报): a frozen snapshot with the day and data version it was built from.
final class BulletinRecord: Model, @unchecked Sendable {
    static let schema = "bulletins"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "year") var year: Int
    @Field(key: "quarter") var quarter: Int
    @Field(key: "title") var title: String
    @Field(key: "as_of") var asOf: String
    /// The highest ledger row id included: the data version the snapshot was built from.
    @Field(key: "data_version") var dataVersion: Int
    @Field(key: "snapshot") var snapshot: String
    @Field(key: "published_by") var publishedBy: String
    @Timestamp(key: "published_at", on: .create) var publishedAt: Date?

    init() {}
}
