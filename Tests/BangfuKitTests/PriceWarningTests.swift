import BangfuKit
import XCTest

/// 滞销监测预警: weeks, units, baselines, each condition at and around its threshold, escalation and release.
final class PriceWarningTests: XCTestCase {
    let rules = WarningRules()

    func testISOWeeksIncludingWeek53() throws {
        XCTAssertEqual(MarketWeek.weeks(in: 2026), 53, "2026 starts on a Thursday")
        XCTAssertEqual(MarketWeek.weeks(in: 2025), 52)
        XCTAssertEqual(MarketWeek(LocalDate(year: 2027, month: 1, day: 1)).description, "2026-W53")
        XCTAssertEqual(MarketWeek(LocalDate(year: 2025, month: 12, day: 29)).description, "2026-W01")
        XCTAssertEqual(MarketWeek(LocalDate(year: 2026, month: 11, day: 30)).description, "2026-W49")
        let w53 = try XCTUnwrap(MarketWeek(year: 2026, number: 53))
        XCTAssertEqual(w53.monday, LocalDate(year: 2026, month: 12, day: 28))
        XCTAssertEqual(w53.adding(weeks: 1).description, "2027-W01")
        XCTAssertEqual(w53.sameWeek(in: 2025)?.description, "2025-W52", "a year without week 53 reads week 52")
        XCTAssertNil(MarketWeek(year: 2025, number: 53))
        XCTAssertNil(MarketWeek("2026-W54"))
        XCTAssertEqual(MarketWeek("2026-W05")?.key, 202605)
        XCTAssertEqual(MarketWeek(key: 202653), w53)
        XCTAssertEqual(try XCTUnwrap(MarketWeek(year: 2025, number: 50)).weeks(to: w53), 55)
    }

    func testDaysAreAddedInIntegersAsTheCalendarAddsThem() {
        var day = LocalDate(year: 1999, month: 12, day: 25)
        for _ in 0..<12_000 {
            let calendar = ShanghaiCalendar.day(of: ShanghaiCalendar.calendar.date(byAdding: .day, value: 1,
                                                                                  to: day.startInstant)!)
            XCTAssertEqual(day.adding(days: 1), calendar, "after \(day)")
            day = calendar
        }
        XCTAssertEqual(LocalDate(year: 2024, month: 2, day: 28).adding(days: 366),
                       LocalDate(year: 2025, month: 2, day: 28))
        XCTAssertEqual(LocalDate(year: 2000, month: 3, day: 1).adding(days: -1),
                       LocalDate(year: 2000, month: 2, day: 29))
        XCTAssertEqual(LocalDate(ordinalSinceEpoch: 0), LocalDate(year: 1970, month: 1, day: 1))
    }

    func testUnitsAreNormalisedToTheProductsBase() {
        func base(_ text: String, _ unit: String? = nil, product: String = "斤") -> Int64? {
            try? PriceQuote.normalise(text, unit: unit, productUnit: product).get()
        }
        XCTAssertEqual(base("1.20元/斤"), 240, "分 per 公斤")
        XCTAssertEqual(base("1.2", "元/斤"), 240)
        XCTAssertEqual(base("2.40", "公斤"), 240)
        XCTAssertEqual(base("2.4元/kg"), 240)
        XCTAssertEqual(base("2400元/吨"), 240)
        XCTAssertEqual(base("2.4", "元/千克"), 240)
        XCTAssertEqual(base("0.9元/枚", product: "枚"), 90, "a product counted by the piece keeps its unit")
        XCTAssertNil(base("0.9元/斤", product: "枚"))
        XCTAssertNil(base("12元/箱"), "a box does not convert to weight")
        XCTAssertNil(base("1.2"), "a price needs its unit")
        XCTAssertNil(base("-1元/斤"))
        XCTAssertNil(base("一块二"))
        XCTAssertNil(base("999999999999元/克"), "beyond 1,000万元 a 公斤: a typing error, refused")
        XCTAssertEqual(base("10000000元/公斤"), PriceQuote.ceilingFen, "the dearest price taken")
        guard case .failure(let dear) = PriceQuote.normalise("99999999元/克", unit: nil, productUnit: "斤") else {
            return XCTFail("an absurd price was taken")
        }
        XCTAssertEqual(dear.code, "out_of_range")
        guard case .failure(let e) = PriceQuote.normalise("12元/箱", unit: nil, productUnit: "斤") else {
            return XCTFail("a box price was taken")
        }
        XCTAssertEqual(e.code, "unit_mismatch")
        XCTAssertEqual(PriceQuote.text(240, productUnit: "斤"), "1.2元/斤")
        XCTAssertEqual(PriceQuote.text(241, productUnit: "斤"), "1.21元/斤", "120.5分 rounds half up")
    }

    func testBaselineIsTheSameWeeksOfEarlierYearsOrAMovingAverage() throws {
        let week = try XCTUnwrap(MarketWeek(year: 2026, number: 53))
        let weeks = PriceWatch.baselineWeeks(for: week, rules).map(\.description)
        XCTAssertEqual(weeks, ["2025-W51", "2025-W52", "2026-W01", "2024-W51", "2024-W52", "2025-W01",
                               "2023-W51", "2023-W52", "2024-W01"])
        let withHistory = PriceWatch.Facts(week: week, price: 100, earlier: [200, 180, 220], recent: [150, 150, 150])
        XCTAssertEqual(PriceWatch.baseline(withHistory, rules)?.0, 200)
        let without = PriceWatch.Facts(week: week, price: 100, recent: [nil, 150, 160, 170])
        XCTAssertEqual(PriceWatch.baseline(without, rules)?.0, 160, "the mean of the reported weeks")
        XCTAssertNil(PriceWatch.baseline(PriceWatch.Facts(week: week, price: 100, recent: [150, 160]), rules),
                     "fewer than three weeks make no baseline")
    }

    /// Runs the weeks through `judge`, returning each week's level.
    func levels(_ prices: [Int64?], earlier: Int64 = 200, rules: WarningRules? = nil,
                stock: [PriceWatch.Stock?] = []) throws -> [Int] {
        var state = PriceWatch.State(), out: [Int] = []
        var week = try XCTUnwrap(MarketWeek(year: 2026, number: 10))
        for (i, p) in prices.enumerated() {
            let facts = PriceWatch.Facts(week: week, price: p, earlier: [earlier], recent: Array(prices[..<i]),
                                         stock: i < stock.count ? stock[i] : nil)
            state = PriceWatch.judge(facts, after: state, rules: rules ?? self.rules, productUnit: "斤").state
            out.append(state.level)
            week = week.adding(weeks: 1)
        }
        return out
    }

    func testBelowBaselineMustHoldForTheWeeksInARow() throws {
        // 20% below 200 is 160: at the threshold counts, one 分 above does not.
        XCTAssertEqual(try levels([160, 160]), [0, 1])
        XCTAssertEqual(try levels([161, 161, 161]), [0, 0, 0])
        XCTAssertEqual(try levels([160, 170, 160]), [0, 0, 0], "a week back above the threshold breaks the run")
        XCTAssertEqual(try levels([80, 80]), [0, 2], "40% below adds a level")
    }

    func testAMissingWeekBreaksTheRunButReleasesNothing() throws {
        XCTAssertEqual(try levels([160, nil, 160]), [0, 0, 0])
        XCTAssertEqual(try levels([160, 160, nil, nil, 160]), [0, 1, 1, 1, 1])
    }

    func testEscalationWhilePersistingAndReleaseWhenClear() throws {
        var r = rules
        r.escalateWeeks = 2
        let low: [Int64?] = Array(repeating: 160, count: 7)
        XCTAssertEqual(try levels(low, rules: r), [0, 1, 1, 2, 2, 3, 3])
        XCTAssertEqual(try levels(low + [200, 200], rules: r), [0, 1, 1, 2, 2, 3, 3, 3, 0],
                       "released after two clear weeks")
        r.scheme = .tiers
        XCTAssertEqual(try levels(low + [160, 160, 160], rules: r).last, 3, "three tiers top out at 一级")
        XCTAssertEqual(r.scheme.name(3), "一级预警")
        XCTAssertEqual(LevelScheme.colours.name(4), "红色预警")
    }

    func testASharpFallIsScoredAgainstTheSeriesOwnChanges() throws {
        // Small wobbles, then a 30% fall in one week (above the 20% baseline threshold: only the score sees it).
        let steady: [Int64?] = [200, 202, 199, 201, 200, 203, 200, 198, 201, 200]
        let facts = PriceWatch.Facts(week: MarketWeek(year: 2026, number: 20)!, price: 140, earlier: [],
                                     recent: steady)
        let j = PriceWatch.judge(facts, after: .init(), rules: rules, productUnit: "斤")
        XCTAssertEqual(j.conditions, [.sharpFall])
        XCTAssertEqual(j.event, .rose)
        XCTAssertTrue(j.figures[0].hasPrefix("周环比-30.0%"), j.figures[0])
        let mild = PriceWatch.Facts(week: MarketWeek(year: 2026, number: 20)!, price: 197, recent: steady)
        XCTAssertEqual(PriceWatch.judge(mild, after: .init(), rules: rules, productUnit: "斤").conditions, [])
        let rise = PriceWatch.Facts(week: MarketWeek(year: 2026, number: 20)!, price: 260, recent: steady)
        XCTAssertEqual(PriceWatch.judge(rise, after: .init(), rules: rules, productUnit: "斤").conditions, [],
                       "a sharp rise is not a warning of unsold stock")
    }

    func testStockLeftLateInTheSeason() throws {
        let late = PriceWatch.Stock(offered: 10_000, sold: 5_000, seasonElapsedBP: 7_000)
        XCTAssertEqual(try levels([200], stock: [late]), [1], "half left, 30% of the season left: at both thresholds")
        let sold = PriceWatch.Stock(offered: 10_000, sold: 5_001, seasonElapsedBP: 7_000)
        XCTAssertEqual(try levels([200], stock: [sold]), [0])
        let early = PriceWatch.Stock(offered: 10_000, sold: 0, seasonElapsedBP: 6_999)
        XCTAssertEqual(try levels([200], stock: [early]), [0])
        let season = try XCTUnwrap(Season(fromMonth: 11, toMonth: 2))
        XCTAssertEqual(season.chineseName, "11月–次年2月")
        XCTAssertEqual(season.elapsedBP(on: LocalDate(year: 2027, month: 2, day: 28)), 10_000)
        XCTAssertEqual(season.elapsedBP(on: LocalDate(year: 2026, month: 11, day: 1)), 83, "1 of 120 days")
        XCTAssertNil(season.elapsedBP(on: LocalDate(year: 2026, month: 6, day: 1)))
    }

    func testStoredRulesMissingAFieldReadItsDefaultAndAreBounded() throws {
        let r = try JSONDecoder().decode(WarningRules.self, from: Data(#"{"dropBP": 1500}"#.utf8))
        XCTAssertEqual(r.dropBP, 1_500)
        XCTAssertEqual(r.weeksInRow, 2)
        var bad = WarningRules()
        bad.weeksInRow = 0
        XCTAssertEqual(bad.validated()?.field, "weeksInRow")
        XCTAssertNil(WarningRules.presets[1].rules.validated())
    }

    func testCampaignRankingPutsUnitsBehindTheirQuotasFirst() {
        let c: [CampaignRanking.Candidate] = [
            .init(unitID: 1, name: "县财政局", paired: false, quotaGapFen: 0, canUse: true, capacityFen: 5_000_000),
            .init(unitID: 2, name: "县医院", paired: true, quotaGapFen: 300_000_00, canUse: true),
            .init(unitID: 3, name: "县一中", paired: false, quotaGapFen: 800_000_00, canUse: true),
            .init(unitID: 4, name: "县农商行", paired: true, quotaGapFen: 0, canUse: false, pastCategoryFen: 10_000),
            .init(unitID: 5, name: "县总工会", paired: false, quotaGapFen: 0, canUse: false),
            .init(unitID: 6, name: "县二中", paired: false, quotaGapFen: 800_000_00, canUse: true,
                  capacityFen: 9_000_000),
        ]
        let ranked = CampaignRanking.rank(c, campaignValueFen: 4_000_000)
        // 县医院 3+3+2 = 8; 县二中 3+2+1 = 6 (capacity) before 县一中 3+2 = 5; 县农商行 3+1 = 4;
        // 县财政局 2+1 = 3; 县总工会 has nothing to recommend it.
        XCTAssertEqual(ranked.map(\.candidate.unitID), [2, 6, 3, 4, 1])
        XCTAssertEqual(ranked.map(\.points), [8, 6, 5, 4, 3])
        XCTAssertEqual(ranked[0].reasons,
                       ["落后序时进度30.00万元，认购可计入其任务", "与产地结对帮扶", "有对口用途（食堂或工会福利）"])
        let tie = CampaignRanking.rank([c[2], c[5]].map {
            .init(unitID: $0.unitID, name: $0.name, paired: false, quotaGapFen: 100, canUse: false)
        }, campaignValueFen: 1)
        XCTAssertEqual(tie.map(\.candidate.unitID), [3, 6], "equal in all: the lower id first")
    }

    func testTheLineChartBreaksAtMissingWeeks() {
        let chart = LineChart.make(labels: ["W1", "W2", "W3", "W4"], series: [("本年", [100, nil, 80, 90])],
                                   band: [(90, 110), nil, (90, 110), (90, 110)])
        XCTAssertEqual(chart.lines[0].runs.count, 2)
        XCTAssertEqual(chart.band.split(separator: " ").count, 6)
    }
}
