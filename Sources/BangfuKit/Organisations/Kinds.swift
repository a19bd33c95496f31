/// Vocabularies of the seeds, as stable English codes with the Chinese the forms use.
public protocol ChineseNamed: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    var chineseName: String { get }
}

extension ChineseNamed {
    /// Reads either the code or the Chinese name, as spreadsheets carry either.
    public init?(codeOrName: String) {
        let t = codeOrName.trimmed
        guard let hit = Self.allCases.first(where: { $0.rawValue == t || $0.chineseName == t }) else { return nil }
        self = hit
    }
}

/// 供给主体
public enum SupplierKind: String, ChineseNamed {
    case household, cooperative, villageCollective, enterprise, familyFarm
    public var chineseName: String {
        switch self {
        case .household: "脱贫户"
        case .cooperative: "农民专业合作社"
        case .villageCollective: "村集体经济组织"
        case .enterprise: "帮扶企业"
        case .familyFarm: "家庭农场"
        }
    }
    /// Firms and cooperatives carry a 统一社会信用代码; a household does not.
    public var needsCreditCode: Bool { self != .household }
}

/// 采购单位
public enum BuyerKind: String, ChineseNamed, Codable {
    case partyGovernment, publicInstitution, school, hospital, stateEnterprise, financial, union,
         privateEnterprise, socialOrganisation
    public var chineseName: String {
        switch self {
        case .partyGovernment: "党政机关"
        case .publicInstitution: "事业单位"
        case .school: "学校"
        case .hospital: "医院"
        case .stateEnterprise: "国有企业"
        case .financial: "金融机构"
        case .union: "工会"
        case .privateEnterprise: "民营/爱心企业"
        case .socialOrganisation: "社会组织"
        }
    }
}

/// 帮扶单位 level, which sets the yearly minimum in seed 000.
public enum HelpLevel: String, ChineseNamed, Codable {
    case province, city, county
    public var chineseName: String {
        switch self {
        case .province: "省级"
        case .city: "市级"
        case .county: "县级"
        }
    }
}

/// 管理部门
public enum OfficeKind: String, ChineseNamed {
    case ruralRevitalisation, agriculture, commerce, taskForce, marketRegulation, finance, other
    public var chineseName: String {
        switch self {
        case .ruralRevitalisation: "乡村振兴局"
        case .agriculture: "农业农村委"
        case .commerce: "商务委"
        case .taskForce: "消费帮扶专项组办公室"
        case .marketRegulation: "市场监管局"
        case .finance: "财政局"
        case .other: "其他部门"
        }
    }
}

/// 结对 / 帮扶关系
public enum PairingKind: String, ChineseNamed {
    case stationedInVillage, designatedAssistance, countyToCounty, eastWest, counterpartSupport, enterpriseToVillage
    public var chineseName: String {
        switch self {
        case .stationedInVillage: "驻村帮扶"
        case .designatedAssistance: "定点帮扶"
        case .countyToCounty: "县际结对"
        case .eastWest: "东西部协作"
        case .counterpartSupport: "对口支援"
        case .enterpriseToVillage: "万企兴万村"
        }
    }
    /// Unit→village kinds have a buyer unit as helper; the others pair two regions.
    public var helperIsUnit: Bool { [.stationedInVillage, .designatedAssistance, .enterpriseToVillage].contains(self) }
}

/// 脱贫户 / 监测户
public enum HouseholdStatus: String, ChineseNamed {
    case liftedOut, monitored
    public var chineseName: String { self == .liftedOut ? "脱贫户" : "监测户" }
}
