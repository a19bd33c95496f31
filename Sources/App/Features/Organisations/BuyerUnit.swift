import Fluent

/// 采购单位: a unit that buys, with the flags quotas depend on.
final class BuyerUnit: Model, @unchecked Sendable {
    static let schema = "buyer_units"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "region_code") var regionCode: String
    @OptionalField(key: "credit_code") var creditCode: String?
    @Field(key: "is_budget_unit") var isBudgetUnit: Bool        // 预算单位
    @Field(key: "has_canteen") var hasCanteen: Bool             // 有食堂
    @Field(key: "has_five_into_duty") var hasFiveIntoDuty: Bool // 承担"五进"任务
    @OptionalField(key: "help_level") var helpLevel: String?    // 帮扶单位 level 省/市/县
    @OptionalParent(key: "system_id") var system: LeadSystem?

    init() {}
}
