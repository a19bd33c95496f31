import Fluent

/// 供给主体: who sells — a household, cooperative, village collective, firm or family farm.
final class Supplier: Model, @unchecked Sendable {
    static let schema = "suppliers"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    /// For a household supplier this is the masked name; the real one lives encrypted on the household.
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "region_code") var regionCode: String
    @OptionalField(key: "credit_code") var creditCode: String?
    @OptionalField(key: "contact_name") var contactName: String?   // 供货联系人
    @OptionalField(key: "contact_phone") var contactPhone: String?
    /// A household supplier's contact line, sealed; the two fields above then hold only its masks.
    @OptionalField(key: "contact_sealed") var contactSealed: String?
    @OptionalParent(key: "household_id") var household: Household?
    @Siblings(through: SupplierHousehold.self, from: \.$supplier, to: \.$household) var linkedHouseholds: [Household]

    init() {}
}

/// 利益联结: a 脱贫户 whose income a cooperative or firm is bound to.
final class SupplierHousehold: Model, @unchecked Sendable {
    static let schema = "supplier_households"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "supplier_id") var supplier: Supplier
    @Parent(key: "household_id") var household: Household
    /// Its share of the cooperative's sales against the other linked households' (1 each unless declared).
    @Field(key: "weight") var weight: Int

    init() {}
}
