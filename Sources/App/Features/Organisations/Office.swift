import Fluent

/// 管理部门: an office bound to a region; its users see that region's subtree.
final class Office: Model, @unchecked Sendable {
    static let schema = "offices"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "region_code") var regionCode: String

    init() {}
    init(name: String, kind: String, regionCode: String) {
        self.name = name; self.kind = kind; self.regionCode = regionCode
    }
}

/// 行业系统 with its 牵头单位 (e.g. 教育系统 led by 县教委), which collects its units' purchases (附件3).
final class LeadSystem: Model, @unchecked Sendable {
    static let schema = "lead_systems"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "name") var name: String
    @Field(key: "lead_name") var leadName: String
    @Field(key: "region_code") var regionCode: String

    init() {}
    init(name: String, leadName: String, regionCode: String) {
        self.name = name; self.leadName = leadName; self.regionCode = regionCode
    }
}
