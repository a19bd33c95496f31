/// A jurisdiction's rules for one year (seed 000's 运城 policy, 云阳's 六销 plan …): data, never constants in code.
public struct Policy: Codable, Sendable, Equatable {
    public var name: String
    public var jurisdiction: RegionCode
    public var year: Int
    public var startsOn: LocalDate
    public var endsOn: LocalDate
    public var rules: [Rule]

    public init(name: String, jurisdiction: RegionCode, year: Int, startsOn: LocalDate, endsOn: LocalDate, rules: [Rule]) {
        self.name = name; self.jurisdiction = jurisdiction; self.year = year
        self.startsOn = startsOn; self.endsOn = endsOn; self.rules = rules
    }

    /// The part of the policy's year it is in force: nil when it is not in force in that year at all.
    public var window: ClosedRange<LocalDate>? {
        let from = max(startsOn, LocalDate(year: year, month: 1, day: 1))
        let to = min(endsOn, LocalDate(year: year, month: 12, day: 31))
        return from <= to ? from...to : nil
    }

    /// The months it counts through `asOf`, as rollup keys: rollups are monthly, so the month a policy ends in
    /// counts whole. Nil when nothing counts yet or the policy is not in force that year.
    public func countedMonths(through asOf: LocalDate) -> ClosedRange<String>? {
        guard let w = window, asOf >= w.lowerBound else { return nil }
        return w.lowerBound.monthKey...min(asOf, w.upperBound).monthKey
    }
}

/// 规则种类 (issue 5): what a rule measures and against what.
public enum RuleKind: String, ChineseNamed, Codable {
    case share, levelMinimum, pairingTotal, jurisdictionTotal, perMember
    public var chineseName: String {
        switch self {
        case .share: "申报基数占比"
        case .levelMinimum: "按帮扶单位级别的最低采购额"
        case .pairingTotal: "结对县采购总额"
        case .jurisdictionTotal: "辖区总目标"
        case .perMember: "按会员人均"
        }
    }
}

/// What a unit declares for a share to be measured against (申报基数).
public enum DeclarationKind: String, ChineseNamed, Codable {
    case canteenFood, canteenAgri, unionWelfare, unionMembers, likeProducts
    public var chineseName: String {
        switch self {
        case .canteenFood: "年度食堂食材采购额"
        case .canteenAgri: "年度食堂农副产品采购额"
        case .unionWelfare: "年度工会福利预算"
        case .unionMembers: "工会会员人数"
        case .likeProducts: "年度同类产品采购额"
        }
    }
    /// Every kind but the member count is money.
    public var isMoney: Bool { self != .unionMembers }
}

/// Which buyer units a rule binds: flags and kinds, so that binding is configuration.
public struct UnitFilter: Codable, Sendable, Equatable {
    public var kinds: [BuyerKind]?
    public var budgetUnit: Bool?
    public var hasCanteen: Bool?
    public var fiveInto: Bool?
    /// Only 帮扶单位 of these levels (a unit with no level is not bound).
    public var helpLevels: [HelpLevel]?

    public init(kinds: [BuyerKind]? = nil, budgetUnit: Bool? = nil, hasCanteen: Bool? = nil, fiveInto: Bool? = nil,
                helpLevels: [HelpLevel]? = nil) {
        self.kinds = kinds; self.budgetUnit = budgetUnit; self.hasCanteen = hasCanteen; self.fiveInto = fiveInto
        self.helpLevels = helpLevels
    }

    public func binds(_ u: UnitFacts) -> Bool {
        if let kinds, !kinds.contains(u.kind) { return false }
        if let budgetUnit, budgetUnit != u.isBudgetUnit { return false }
        if let hasCanteen, hasCanteen != u.hasCanteen { return false }
        if let fiveInto, fiveInto != u.hasFiveIntoDuty { return false }
        if let helpLevels { guard let l = u.helpLevel, helpLevels.contains(l) else { return false } }
        return true
    }
}

/// One rule of a policy. Which fields matter depends on `kind`; `Rule.problems` says what is missing.
public struct Rule: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: RuleKind
    public var binds: UnitFilter
    /// Channel codes that count; nil counts every channel.
    public var channels: [String]?
    /// Purposes that count; nil counts every purpose.
    public var purposes: [String]?
    /// Count only purchases from the places the unit helps (its pairings).
    public var fromHelpedPlaces: Bool
    public var base: DeclarationKind?
    public var shareBP: Int?
    /// levelMinimum: yuan-in-fen by HelpLevel raw value.
    public var minimums: [String: Int64]?
    public var targetFen: Int64?
    /// jurisdictionTotal: count by where products come from (origin) or who buys them (buyer).
    public var side: Side?
    public var parts: [Part]?
    public var perMemberFen: Int64?

    public enum Side: String, Codable, Sendable { case origin, buyer }

    /// A sub-target of a jurisdiction total: a channel's share, or what came from deep-poverty places.
    public struct Part: Codable, Sendable, Equatable {
        public var name: String
        public var channels: [String]?
        public var deepPovertyOnly: Bool
        public var targetFen: Int64
        public init(name: String, channels: [String]? = nil, deepPovertyOnly: Bool = false, targetFen: Int64) {
            self.name = name; self.channels = channels; self.deepPovertyOnly = deepPovertyOnly; self.targetFen = targetFen
        }
    }

    public init(code: String, name: String, kind: RuleKind, binds: UnitFilter = .init(), channels: [String]? = nil,
                purposes: [String]? = nil, fromHelpedPlaces: Bool = false, base: DeclarationKind? = nil, shareBP: Int? = nil,
                minimums: [HelpLevel: Int64]? = nil, targetFen: Int64? = nil, side: Side? = nil, parts: [Part]? = nil,
                perMemberFen: Int64? = nil) {
        self.code = code; self.name = name; self.kind = kind; self.binds = binds; self.channels = channels
        self.purposes = purposes; self.fromHelpedPlaces = fromHelpedPlaces; self.base = base; self.shareBP = shareBP
        self.minimums = minimums.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) }
        self.targetFen = targetFen; self.side = side; self.parts = parts; self.perMemberFen = perMemberFen
    }

    /// What an office must still fill in before the rule can be measured, in Chinese.
    public var problems: [String] {
        var p: [String] = []
        if code.isEmpty { p.append("规则编号不能为空") }
        switch kind {
        case .share:
            if base == nil || base == .unionMembers { p.append("占比规则需要金额类申报基数") }
            if !(1...10_000).contains(shareBP ?? 0) { p.append("占比应在 0.01%–100% 之间") }
        case .levelMinimum: if (minimums ?? [:]).isEmpty { p.append("需要各级别的最低采购额") }
        case .pairingTotal, .jurisdictionTotal: if (targetFen ?? 0) <= 0 { p.append("需要目标金额") }
        case .perMember: if (perMemberFen ?? 0) <= 0 { p.append("需要人均金额") }
        }
        return p
    }
}
