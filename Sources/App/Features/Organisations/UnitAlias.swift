import Fluent

/// A name an office writes for a unit (云阳县教委 for 云阳县教育委员会): imports read it as the unit.
final class UnitAlias: Model, @unchecked Sendable {
    static let schema = "unit_aliases"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "buyer_unit_id") var buyerUnit: BuyerUnit
    /// The unit's county: an alias is unique there, so two counties may each have their own 县教委.
    @Field(key: "county_code") var countyCode: String
    @Field(key: "alias") var alias: String

    init() {}
}
