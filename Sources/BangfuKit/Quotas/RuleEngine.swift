/// Measures a policy's rules against counted amounts: for every bound unit, paired county or the
/// jurisdiction, the target, the actual, 序时进度 and a projection. Pure: the same facts give the same figures.
public struct RuleEngine: Sendable {
    public let policy: Policy
    public let facts: Facts
    public let asOf: LocalDate

    let months: ClosedRange<String>?

    public init(policy: Policy, facts: Facts, asOf: LocalDate) {
        self.policy = policy; self.facts = facts; self.asOf = asOf
        months = policy.countedMonths(through: asOf)
    }

    public func evaluate() -> [RuleProgress] { policy.rules.flatMap(evaluate) }

    /// A unit of the jurisdiction, or one above it (市级/省级帮扶单位) helping a place in it, is bound by its policy.
    func bound(_ u: UnitFacts) -> Bool {
        policy.jurisdiction.contains(u.region)
            || u.region.contains(policy.jurisdiction) && u.helps.contains { policy.jurisdiction.contains($0) }
    }

    public func evaluate(_ rule: Rule) -> [RuleProgress] {
        switch rule.kind {
        case .share, .levelMinimum, .perMember:
            facts.units.filter { bound($0) && rule.binds.binds($0) }.map { unitProgress(rule, $0) }
        case .pairingTotal:
            facts.countyPairings.filter { policy.jurisdiction.contains($0.helper) || policy.jurisdiction.contains($0.helped) }
                .map { pairingProgress(rule, $0) }
        case .jurisdictionTotal:
            [jurisdictionProgress(rule)]
        }
    }

    // MARK: - Subjects

    func unitProgress(_ rule: Rule, _ u: UnitFacts) -> RuleProgress {
        let subject = Subject(unitID: u.id, region: u.region.digits, name: u.name)
        var drill = drillDown(rule.channels, rule.purposes)
        drill.unitID = u.id
        if rule.fromHelpedPlaces { drill.originPrefixes = u.helps.map(\.subtreePrefix) }
        let actual = rule.fromHelpedPlaces
            ? sum(facts.helpedByUnit[u.id] ?? []) { b in
                Self.matches(b, rule.channels, rule.purposes)
                    && u.helps.contains { b.origin.hasPrefix($0.subtreePrefix) }
            }
            : sum(facts.byUnit[u.id] ?? []) { Self.matches($0, rule.channels, rule.purposes) }
        switch rule.kind {
        case .share:
            guard let base = rule.base, let bp = rule.shareBP, let declared = declared(u.id, base) else {
                return missing(rule, subject, actual, drill, rule.base?.chineseName ?? "基数")
            }
            return measure(rule, subject, target: (declared * Int64(bp) + 9_999) / 10_000, actual: actual, drill)
        case .perMember:
            guard let per = rule.perMemberFen, let members = declared(u.id, .unionMembers) else {
                return missing(rule, subject, actual, drill, DeclarationKind.unionMembers.chineseName)
            }
            return measure(rule, subject, target: members * per, actual: actual, drill)
        default:
            let target = u.helpLevel.flatMap { rule.minimums?[$0.rawValue] } ?? 0
            return measure(rule, subject, target: target, actual: actual, drill)
        }
    }

    func pairingProgress(_ rule: Rule, _ p: CountyPairing) -> RuleProgress {
        let subject = Subject(region: p.helper.digits, name: p.helper.digits)
        var drill = drillDown(rule.channels, rule.purposes)
        drill.buyerRegion = p.helper.subtreePrefix
        drill.originPrefixes = [p.helped.subtreePrefix]
        let actual = sum(facts.placeBuckets) { b in
            b.buyerRegion.hasPrefix(p.helper.subtreePrefix) && b.origin.hasPrefix(p.helped.subtreePrefix)
                && Self.matches(b, rule.channels, rule.purposes)
        }
        return measure(rule, subject, target: rule.targetFen ?? 0, actual: actual, drill)
    }

    func jurisdictionProgress(_ rule: Rule) -> RuleProgress {
        let j = policy.jurisdiction.subtreePrefix
        let bySide: (Bucket) -> Bool = rule.side == .buyer
            ? { $0.buyerRegion.hasPrefix(j) } : { $0.origin.hasPrefix(j) }
        let subject = Subject(region: policy.jurisdiction.digits, name: policy.jurisdiction.digits)
        func drill(_ channels: [String]?, deep: Bool) -> DrillDown {
            var d = drillDown(channels, rule.purposes)
            if rule.side == .buyer { d.buyerRegion = j } else { d.originPrefixes = [j] }
            d.deepPovertyOnly = deep
            return d
        }
        let actual = sum(facts.placeBuckets) { bySide($0) && Self.matches($0, rule.channels, rule.purposes) }
        var whole = measure(rule, subject, target: rule.targetFen ?? 0, actual: actual, drill(rule.channels, deep: false))
        whole.parts = (rule.parts ?? []).map { part in
            let a = sum(facts.placeBuckets) { bySide($0) && Self.matches($0, part.channels ?? rule.channels, rule.purposes) && (!part.deepPovertyOnly || $0.deepPoverty) }
            let partRule = Rule(code: rule.code, name: part.name, kind: rule.kind)
            return measure(partRule, subject, target: part.targetFen, actual: a, drill(part.channels ?? rule.channels, deep: part.deepPovertyOnly))
        }
        if let rest = remainder(rule, whole, bySide, drill(nil, deep: false)) { whole.parts.append(rest) }
        return whole
    }

    /// 其他渠道: what the total counts through none of its channel parts (832, other platforms), so that the channel
    /// parts and the remainder add up to the whole; nil when the parts name no channels or leave nothing out.
    func remainder(_ rule: Rule, _ whole: RuleProgress, _ bySide: (Bucket) -> Bool,
                   _ drill: DrillDown) -> RuleProgress? {
        let channelParts = (rule.parts ?? []).filter { !$0.deepPovertyOnly }
        let named = Set(channelParts.compactMap(\.channels).joined())
        guard !channelParts.isEmpty, channelParts.allSatisfy({ $0.channels != nil }), whole.drillDown != nil else {
            return nil
        }
        let actual = sum(facts.placeBuckets) {
            bySide($0) && Self.matches($0, rule.channels, rule.purposes) && !named.contains($0.channel)
        }
        var d = drill
        d.excludedChannels = named.sorted()
        return RuleProgress(ruleCode: rule.code, ruleName: Self.otherChannels, subject: whole.subject,
                            targetFen: nil, actualFen: actual,
                            paceBP: whole.paceBP, expectedFen: nil, projectedFen: nil, state: .noTarget,
                            finding: "不在以上各渠道的销售（如832平台），计入总额、不设分项目标", drillDown: d, parts: [])
    }

    static let otherChannels = "其他渠道"

    // MARK: - Measuring

    func sum(_ buckets: [Bucket], _ include: (Bucket) -> Bool) -> Int64 {
        guard let months else { return 0 }
        return buckets.reduce(0) { months.contains($1.month) && include($1) ? $0 + $1.amountFen : $0 }
    }

    func declared(_ unit: Int, _ kind: DeclarationKind) -> Int64? {
        facts.declared[.init(unit: unit, kind: kind)]
    }

    func drillDown(_ channels: [String]?, _ purposes: [String]?) -> DrillDown {
        let m = months ?? (policy.startsOn.monthKey...policy.startsOn.monthKey)
        return DrillDown(channels: channels, purposes: purposes, fromMonth: m.lowerBound, toMonth: m.upperBound)
    }

    func measure(_ rule: Rule, _ subject: Subject, target: Int64, actual: Int64, _ drill: DrillDown) -> RuleProgress {
        guard let window = policy.window else {
            return RuleProgress(ruleCode: rule.code, ruleName: rule.name, subject: subject, targetFen: target, actualFen: actual, paceBP: 0,
                            expectedFen: nil, projectedFen: nil, state: .notInForce,
                            finding: "政策有效期为\(policy.startsOn)至\(policy.endsOn)，不适用于\(policy.year)年", drillDown: nil, parts: [])
        }
        let pace = Pace.basisPoints(window: window, asOf: asOf)
        let expected = target * Int64(pace) / 10_000
        let state: ProgressState = actual >= target ? .met : asOf >= window.upperBound ? .missed : actual >= expected ? .onPace : .behind
        return RuleProgress(ruleCode: rule.code, ruleName: rule.name, subject: subject, targetFen: target, actualFen: actual, paceBP: pace,
                        expectedFen: expected, projectedFen: Pace.projected(actual: actual, window: window, asOf: asOf),
                        state: state, finding: nil, drillDown: drill, parts: [])
    }

    func missing(_ rule: Rule, _ subject: Subject, _ actual: Int64, _ drill: DrillDown, _ what: String) -> RuleProgress {
        guard policy.window != nil else { return measure(rule, subject, target: 0, actual: actual, drill) }
        return RuleProgress(ruleCode: rule.code, ruleName: rule.name, subject: subject, targetFen: nil, actualFen: actual,
                 paceBP: policy.window.map { Pace.basisPoints(window: $0, asOf: asOf) } ?? 0, expectedFen: nil, projectedFen: nil,
                 state: .missingDeclaration, finding: "未申报\(what)，无法计算目标", drillDown: drill, parts: [])
    }

    static func matches(_ b: Bucket, _ channels: [String]?, _ purposes: [String]?) -> Bool {
        (channels?.contains(b.channel) ?? true) && (purposes?.contains(b.purpose) ?? true)
    }
}
