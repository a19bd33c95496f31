/// The seeds' policies, ready for an office to adopt for its own jurisdiction and year.
public struct PolicyPreset: Sendable {
    public let code: String
    public let name: String
    public let source: String
    /// The last day the seed says the policy runs; nil when it runs for the year adopted.
    public let endsOn: LocalDate?
    public let rules: [Rule]

    public func policy(jurisdiction: RegionCode, year: Int) -> Policy {
        Policy(name: "\(year)年\(name)", jurisdiction: jurisdiction, year: year, startsOn: LocalDate(year: year, month: 1, day: 1),
               endsOn: endsOn ?? LocalDate(year: year, month: 12, day: 31), rules: rules)
    }

    static func wan(_ n: Int64) -> Int64 { n * 1_000_000 }   // 万元 in fen

    public static let all: [PolicyPreset] = [yuncheng, yunnan, yunyang, songjiang]

    public static func named(_ code: String) -> PolicyPreset? { all.first { $0.code == code } }

    static let platforms = ["p832", "cityPlatform", "hall"]

    /// Seed 000 (运城市, 2022, in force to 2025-12-31).
    public static let yuncheng = PolicyPreset(code: "yuncheng2022", name: "消费帮扶工作方案（运城）", source: "种子文件000", endsOn: LocalDate(year: 2025, month: 12, day: 31), rules: [
        Rule(code: "canteenReserve", name: "食堂食材预留份额不低于20%", kind: .share, binds: .init(fiveInto: true),
             base: .canteenFood, shareBP: 2_000),
        Rule(code: "canteen832", name: "食堂农副产品通过832平台采购不低于10%", kind: .share, binds: .init(budgetUnit: true, hasCanteen: true),
             channels: ["p832"], base: .canteenAgri, shareBP: 1_000),
        Rule(code: "unionWelfare", name: "工会福利通过平台和专馆采购不低于预算的50%", kind: .share,
             binds: .init(helpLevels: HelpLevel.allCases), channels: platforms, purposes: ["unionWelfare"], base: .unionWelfare, shareBP: 5_000),
        Rule(code: "helperMinimum", name: "帮扶单位年度采购帮扶地产品（省3万/市2万/县1万）", kind: .levelMinimum,
             binds: .init(helpLevels: HelpLevel.allCases), fromHelpedPlaces: true,
             minimums: [.province: wan(3), .city: wan(2), .county: wan(1)]),
        Rule(code: "pairedCounty", name: "结对县年度采购被帮扶县产品不少于200万元", kind: .pairingTotal, targetFen: wan(200)),
    ])

    /// Seed 001 (云南省, 2022): canteens reserve 10% for 832.
    public static let yunnan = PolicyPreset(code: "yunnan2022", name: "预算单位食堂832平台采购（云南）", source: "种子文件001", endsOn: nil, rules: [
        Rule(code: "canteen832", name: "预算单位食堂农副产品通过832平台采购不低于10%", kind: .share,
             binds: .init(budgetUnit: true, hasCanteen: true), channels: ["p832"], base: .canteenAgri, shareBP: 1_000),
    ])

    /// Seed 003 (云阳县, 2019): 6000万 with 1000万 from deep-poverty places, and the 六销 channel targets; 500元 per union member.
    public static let yunyang = PolicyPreset(code: "yunyang2019", name: "消费扶贫“六销”行动（云阳）", source: "种子文件003", endsOn: nil, rules: [
        Rule(code: "sixChannels", name: "年度直接销售贫困户农特产品6000万元", kind: .jurisdictionTotal, targetFen: wan(6_000), side: .origin, parts: [
            .init(name: "其中深度贫困镇村", deepPovertyOnly: true, targetFen: wan(1_000)),
            .init(name: "“五进”对接直销", channels: ["fiveInto"], targetFen: wan(2_000)),
            .init(name: "对口帮扶助销", channels: ["paired"], targetFen: wan(1_000)),
            .init(name: "爱心企业订销", channels: ["charity"], targetFen: wan(500)),
            .init(name: "节会推介展销", channels: ["fair"], targetFen: wan(500)),
            .init(name: "电子商务营销", channels: ["ecommerce"], targetFen: wan(1_500)),
            .init(name: "旅游服务带销", channels: ["tourism"], targetFen: wan(500)),
        ]),
        Rule(code: "unionPerMember", name: "工会经费按人均500元直购贫困户产品", kind: .perMember, binds: .init(kinds: [.union]),
             purposes: ["unionWelfare"], perMemberFen: 50_000),
    ])

    /// Seed 004 (松江区, 2021, five years): organs 20% of like products, SOE unions 30%, 1亿 a year.
    public static let songjiang = PolicyPreset(code: "songjiang2021", name: "消费帮扶行动（松江）", source: "种子文件004", endsOn: LocalDate(year: 2025, month: 12, day: 31), rules: [
        Rule(code: "organLikeProducts", name: "党政机关采购帮扶地区同类产品不低于20%", kind: .share, binds: .init(kinds: [.partyGovernment]),
             base: .likeProducts, shareBP: 2_000),
        Rule(code: "soeUnion", name: "国有企业工会福利采购帮扶地区同类产品不低于30%", kind: .share, binds: .init(kinds: [.stateEnterprise]),
             purposes: ["unionWelfare"], base: .unionWelfare, shareBP: 3_000),
        Rule(code: "yearTotal", name: "每年采购帮扶地区产品不少于1亿元", kind: .jurisdictionTotal, targetFen: wan(10_000), side: .buyer),
    ])
}
