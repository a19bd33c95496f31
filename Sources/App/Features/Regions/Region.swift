import BangfuKit
import Fluent

/// One node of the 行政区划 tree, keyed by its 12-digit code.
final class Region: Model, @unchecked Sendable {
    static let schema = "regions"

    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "level") var level: Int
    @OptionalField(key: "parent_code") var parentCode: String?
    @Field(key: "is_lifted_county") var isLiftedCounty: Bool      // 脱贫县
    @Field(key: "is_deep_poverty") var isDeepPoverty: Bool        // 原深度贫困乡镇/村
    @Field(key: "is_helped_village") var isHelpedVillage: Bool    // 帮扶村
    @Field(key: "is_illustrative") var isIllustrative: Bool       // demo data, not a real place

    init() {}

    init(code: RegionCode, name: String, parentCode: String?, isLiftedCounty: Bool = false,
         isDeepPoverty: Bool = false, isHelpedVillage: Bool = false, isIllustrative: Bool = false) {
        self.id = code.digits; self.name = name; self.level = code.level.rawValue; self.parentCode = parentCode
        self.isLiftedCounty = isLiftedCounty; self.isDeepPoverty = isDeepPoverty
        self.isHelpedVillage = isHelpedVillage; self.isIllustrative = isIllustrative
    }

    var code: RegionCode { RegionCode(id!)! }
}
