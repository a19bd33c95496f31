import BangfuKit
import XCTest

/// The rule engine against the seeds' own numbers.
final class QuotaTests: XCTestCase {
    let county = RegionCode("500235000000")!          // 云阳县
    let town = "500235105201"                         // 龙角镇示例村: buckets carry the origin at their grain
    let helped = RegionCode("500235105201")!          // a village of 龙角镇
    func day(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d) }

    func unit(_ id: Int, _ kind: BuyerKind = .partyGovernment, budget: Bool = true, canteen: Bool = true, fiveInto: Bool = true,
              level: HelpLevel? = nil, helps: [RegionCode] = []) -> UnitFacts {
        UnitFacts(id: id, name: "单位\(id)", kind: kind, region: RegionCode("500235001000")!, isBudgetUnit: budget, hasCanteen: canteen,
                  hasFiveIntoDuty: fiveInto, helpLevel: level, helps: helps)
    }
    func bought(_ unit: Int, _ fen: Int64, month: String = "2025-03", channel: String = "fiveInto", purpose: String = "canteen",
                from township: String? = nil, deep: Bool = false, buyerRegion: String = "500235001000") -> Bucket {
        Bucket(month: month, unitID: unit, buyerRegion: buyerRegion, origin: township ?? town, deepPoverty: deep,
               channel: channel, purpose: purpose, amountFen: fen)
    }
    func run(_ preset: PolicyPreset, year: Int = 2025, _ facts: Facts, asOf: LocalDate, rule: String) -> [RuleProgress] {
        let policy = preset.policy(jurisdiction: county, year: year)
        return RuleEngine(policy: policy, facts: facts, asOf: asOf).evaluate(policy.rules.first { $0.code == rule }!)
    }

    func testAShareIsMetExactlyAtTheThresholdAndMissedOneFenBelow() {
        let declared = [Declaration(unitID: 1, kind: .canteenFood, value: 100_000_000), Declaration(unitID: 2, kind: .canteenFood, value: 100_000_000)]
        let facts = Facts(units: [unit(1), unit(2)], declarations: declared, buckets: [bought(1, 20_000_000), bought(2, 19_999_999)])
        let p = run(.yuncheng, facts, asOf: day(2025, 12, 31), rule: "canteenReserve")
        XCTAssertEqual(p.map(\.targetFen), [20_000_000, 20_000_000], "20% of 100万 is 20万")
        XCTAssertEqual(p.map(\.state), [.met, .missed])
        XCTAssertEqual(p[1].completionBP, 9_999)
    }

    func testAMissingDeclarationIsAFindingNotZero() {
        let facts = Facts(units: [unit(1)], buckets: [bought(1, 500_000)])
        let p = run(.yuncheng, facts, asOf: day(2025, 6, 30), rule: "canteenReserve")[0]
        XCTAssertEqual(p.state, .missingDeclaration)
        XCTAssertNil(p.targetFen)
        XCTAssertEqual(p.actualFen, 500_000)
        XCTAssertEqual(p.finding, "未申报年度食堂食材采购额，无法计算目标")
    }

    func testOnlyBoundUnitsAndOnlyTheRulesChannelsCount() {
        let declared = [Declaration(unitID: 1, kind: .canteenAgri, value: 10_000_000)]
        let facts = Facts(units: [unit(1), unit(2, canteen: false)], declarations: declared,
                          buckets: [bought(1, 600_000, channel: "p832"), bought(1, 900_000, channel: "fiveInto")])
        let p = run(.yuncheng, facts, asOf: day(2025, 12, 31), rule: "canteen832")
        XCTAssertEqual(p.map(\.subject.unitID), [1], "a unit with no canteen is not bound")
        XCTAssertEqual(p[0].targetFen, 1_000_000)
        XCTAssertEqual(p[0].actualFen, 600_000, "only 832 purchases count")
        XCTAssertEqual(p[0].drillDown?.channels, ["p832"])
    }

    func testAnExpiredPolicyIsNotInForce() {
        let facts = Facts(units: [unit(1)], declarations: [Declaration(unitID: 1, kind: .canteenFood, value: 100)],
                          buckets: [bought(1, 100, month: "2026-03")])
        let p = run(.yuncheng, year: 2026, facts, asOf: day(2026, 6, 30), rule: "canteenReserve")[0]
        XCTAssertEqual(p.state, .notInForce)
        XCTAssertEqual(p.finding, "政策有效期为2026-01-01至2025-12-31，不适用于2026年")
    }

    func testAPeriodStraddlingThePolicysEndCountsOnlyTheWindow() {
        var preset = PolicyPreset.yuncheng.policy(jurisdiction: county, year: 2025)
        preset.endsOn = day(2025, 9, 30)
        let facts = Facts(units: [unit(1)], declarations: [Declaration(unitID: 1, kind: .canteenFood, value: 10_000_000)],
                          buckets: [bought(1, 1_000_000, month: "2025-09"), bought(1, 1_000_000, month: "2025-10"),
                                    bought(1, 5_000_000, month: "2026-01")])
        let p = RuleEngine(policy: preset, facts: facts, asOf: day(2025, 11, 15)).evaluate(preset.rules[0])[0]
        XCTAssertEqual(p.actualFen, 1_000_000, "after the end date nothing counts")
        XCTAssertEqual(p.paceBP, 10_000)
        XCTAssertEqual(p.state, .missed)
        XCTAssertEqual(p.drillDown?.toMonth, "2025-09")
    }

    func testPaceOnAndAroundQuarterEndsAndLeapYears() {
        let y2024 = day(2024, 1, 1)...day(2024, 12, 31), y2025 = day(2025, 1, 1)...day(2025, 12, 31)
        XCTAssertEqual(Pace.basisPoints(window: y2024, asOf: day(2024, 3, 31)), 91 * 10_000 / 366)
        XCTAssertEqual(Pace.basisPoints(window: y2025, asOf: day(2025, 3, 31)), 90 * 10_000 / 365)
        XCTAssertEqual(Pace.basisPoints(window: y2025, asOf: day(2025, 4, 1)), 91 * 10_000 / 365)
        XCTAssertEqual(Pace.basisPoints(window: y2024, asOf: day(2024, 6, 30)), 182 * 10_000 / 366)
        XCTAssertEqual(Pace.basisPoints(window: y2025, asOf: day(2025, 12, 31)), 10_000)
        XCTAssertEqual(Pace.basisPoints(window: y2025, asOf: day(2024, 12, 31)), 0)
        XCTAssertEqual(Pace.basisPoints(window: day(2025, 7, 1)...day(2025, 12, 31), asOf: day(2025, 9, 30)), 92 * 10_000 / 184)
        XCTAssertEqual(Pace.projected(actual: 90, window: y2025, asOf: day(2025, 3, 31)), 365)
    }

    func testAheadAndBehindThePace() {
        let declared = [1, 2].map { Declaration(unitID: $0, kind: .canteenFood, value: 3_650_000) }  // target 73万分
        let facts = Facts(units: [unit(1), unit(2)], declarations: declared,
                          buckets: [bought(1, 180_000), bought(2, 179_000)])
        let p = run(.yuncheng, facts, asOf: day(2025, 3, 31), rule: "canteenReserve")
        XCTAssertEqual(p[0].expectedFen, 730_000 * Int64(90 * 10_000 / 365) / 10_000)
        XCTAssertEqual(p.map(\.state), [.onPace, .behind])
    }

    func testHelperMinimumsByLevelCountOnlyHelpedPlaces() {
        let facts = Facts(units: [unit(1, level: .province, helps: [helped]), unit(2, level: .county, helps: [helped]), unit(3)],
                          buckets: [bought(1, 3_000_000), bought(1, 9_000_000, from: "500235106"), bought(2, 999_999)])
        let p = run(.yuncheng, facts, asOf: day(2025, 12, 31), rule: "helperMinimum")
        XCTAssertEqual(p.map(\.subject.unitID), [1, 2], "a unit with no help level is not bound")
        XCTAssertEqual(p.map(\.targetFen), [3_000_000, 1_000_000], "省3万, 县1万")
        XCTAssertEqual(p.map(\.actualFen), [3_000_000, 999_999], "purchases from elsewhere do not count")
        XCTAssertEqual(p.map(\.state), [.met, .missed])
    }

    func testAUnitAboveTheCountyHelpingInItIsBoundAndOneHelpingElsewhereIsNot() {
        let city = UnitFacts(id: 7, name: "市级单位", kind: .publicInstitution,
                             region: RegionCode("500000000000")!, isBudgetUnit: true,
                             hasCanteen: true, hasFiveIntoDuty: false, helpLevel: .city, helps: [helped])
        let elsewhere = UnitFacts(id: 8, name: "另一市级单位", kind: .publicInstitution, region: RegionCode("500000000000")!,
                                  isBudgetUnit: true, hasCanteen: true, hasFiveIntoDuty: false, helpLevel: .city,
                                  helps: [RegionCode("500238100000")!])
        let sibling = UnitFacts(id: 9, name: "巫溪县单位", kind: .publicInstitution, region: RegionCode("500238000000")!,
                                isBudgetUnit: true, hasCanteen: true, hasFiveIntoDuty: false, helpLevel:
                                    .county, helps: [helped])
        let facts = Facts(units: [city, elsewhere, sibling], buckets: [bought(7, 2_500_000)])
        let p = run(.yuncheng, facts, asOf: day(2025, 12, 31), rule: "helperMinimum")
        XCTAssertEqual(p.map(\.subject.unitID), [7],
            "bound by 云阳's policy through the place it helps; a sibling county's unit is not")
        XCTAssertEqual(p.map(\.targetFen), [2_000_000], "市2万")
    }

    func testAHelpedVillageIsNotItsWholeTownship() {
        let township = RegionCode("500235105000")!
        let facts = Facts(units: [unit(1, level: .county, helps: [helped]), unit(2, level: .county, helps: [township])],
                          buckets: [bought(1, 600_000), bought(1, 900_000, from: "500235105202"),
                                    bought(2, 600_000), bought(2, 900_000, from: "500235105202")])
        let p = run(.yuncheng, facts, asOf: day(2025, 12, 31), rule: "helperMinimum")
        XCTAssertEqual(p.map(\.actualFen), [600_000, 1_500_000],
                       "the neighbouring village counts only for the township's helper")
        XCTAssertEqual(p.first?.drillDown?.originPrefixes, [helped.subtreePrefix])
    }

    func testAPairedCountyBuysTwoMillionFromTheCountyItHelps() {
        let wuxi = RegionCode("500238000000")!
        let facts = Facts(units: [], countyPairings: [CountyPairing(helper: wuxi, helped: county)],
                          buckets: [bought(9, 200_000_000, buyerRegion: "500238100000"), bought(8, 1_000, buyerRegion: "500235001000")])
        let p = run(.yuncheng, facts, asOf: day(2025, 12, 31), rule: "pairedCounty")[0]
        XCTAssertEqual(p.targetFen, 200_000_000)
        XCTAssertEqual(p.actualFen, 200_000_000)
        XCTAssertEqual(p.state, .met)
    }

    func testYunyangsTotalWithDeepPovertyAndChannelParts() {
        let facts = Facts(units: [], buckets: [
            bought(1, 10_000_000_00, month: "2019-05", channel: "fiveInto", deep: true),
            bought(2, 30_000_000_00, month: "2019-11", channel: "ecommerce"),
            bought(3, 5_000_000_00, month: "2019-11", channel: "ecommerce", from: "110101001"),   // bought from Beijing: not 云阳's sales
            bought(4, 2_500_000_00, month: "2019-08", channel: "p832"),
        ])
        let p = run(.yunyang, year: 2019, facts, asOf: day(2019, 12, 31), rule: "sixChannels")[0]
        XCTAssertEqual(p.targetFen, 6_000_000_000)
        XCTAssertEqual(p.actualFen, 4_250_000_000)
        XCTAssertEqual(p.state, .missed)
        let parts = Dictionary(uniqueKeysWithValues: p.parts.map { ($0.ruleName, $0) })
        XCTAssertEqual(parts["其中深度贫困镇村"]?.actualFen, 1_000_000_000)
        XCTAssertEqual(parts["其中深度贫困镇村"]?.state, .met, "1000万 exactly")
        XCTAssertEqual(parts["电子商务营销"]?.actualFen, 3_000_000_000)
        XCTAssertEqual(parts["旅游服务带销"]?.actualFen, 0)
        XCTAssertEqual(p.parts.count, 8)
        let other = try? XCTUnwrap(parts["其他渠道"])
        XCTAssertEqual(other?.actualFen, 250_000_000, "832 falls in none of the six channels")
        XCTAssertNil(other?.targetFen)
        XCTAssertEqual(other?.state, .noTarget)
        XCTAssertEqual(other?.drillDown?.excludedChannels,
                       ["charity", "ecommerce", "fair", "fiveInto", "paired", "tourism"])
        let channelParts = p.parts.filter { $0.ruleName != "其中深度贫困镇村" }
        XCTAssertEqual(channelParts.reduce(0) { $0 + $1.actualFen }, p.actualFen, "the parts add up to the whole")
    }

    func testUnionFundsPerMember() {
        let union = unit(5, .union, budget: false, canteen: false, fiveInto: false)
        let facts = Facts(units: [union, unit(1)], declarations: [Declaration(unitID: 5, kind: .unionMembers, value: 40)],
                          buckets: [bought(5, 2_000_000, month: "2019-09", purpose: "unionWelfare"), bought(5, 700_000, month: "2019-09", purpose: "canteen")])
        let p = run(.yunyang, year: 2019, facts, asOf: day(2019, 12, 31), rule: "unionPerMember")
        XCTAssertEqual(p.map(\.subject.unitID), [5])
        XCTAssertEqual(p[0].targetFen, 40 * 50_000, "500元 × 40 members")
        XCTAssertEqual(p[0].actualFen, 2_000_000)
        XCTAssertEqual(p[0].state, .met)
    }

    func testPresetsAreComplete() {
        for preset in PolicyPreset.all {
            for rule in preset.rules { XCTAssertEqual(rule.problems, [], "\(preset.code).\(rule.code)") }
        }
        XCTAssertEqual(Rule(code: "x", name: "x", kind: .share, base: .unionMembers, shareBP: 0).problems.count, 2)
    }
}
