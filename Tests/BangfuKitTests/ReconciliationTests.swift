import BangfuKit
import XCTest

/// Issue 15's domain: three sources matched and scored, attribution to households to the 分, robust outliers.
final class ReconciliationTests: XCTestCase {
    let town = "500235105"
    func day(_ d: Int) -> LocalDate { LocalDate(year: 2026, month: 10, day: d) }
    func row(_ id: Int, _ source: Reconciliation.Source, buyer: Int = 1, day d: Int = 10, yuan: Int64,
             _ quantity: String? = "400斤", variety: String = "红橙") -> Reconciliation.Purchase {
        Reconciliation.Purchase(id: id, source: source, buyer: buyer, township: town, day: day(d),
            amount: Fen(yuan * 100),
                                quantity: quantity.flatMap(Quantity.parse), variety: variety)
    }
    func bill(_ id: Int, buyer: Int? = 1, day d: Int = 9, kg: Int64?, item: String = "云阳红橙") -> Reconciliation.Waybill {
        Reconciliation.Waybill(id: id, township: town, receiver: buyer, shipped: day(d), grams: kg.map { $0 * 1_000 },
            item: item)
    }

    func testThreeSourcesThatAgreeTwoThatAgreeOneAloneAndAContradiction() {
        let rows = [row(1, .township, yuan: 1_800), row(2, .leadUnit, yuan: 1_800),
            // agree, with a waybill
                    row(3, .township, buyer: 2, yuan: 900, "200斤"), row(4, .leadUnit, buyer: 2, day: 12, yuan: 900,
                        "200斤"),
                    row(5, .township, buyer: 3, yuan: 1_800), row(6, .leadUnit, buyer: 3,
                        yuan: 1_500),  // 1,800 vs 1,500
                    row(7, .manual, buyer: 4, yuan: 300, "100斤")]
        let bills = [bill(11, kg: 200), bill(12, buyer: 3, kg: 3)]                                   // 400斤 as 3 kg
        let (proposals, outcomes) = Reconciliation.reconcile(rows, bills)
        XCTAssertEqual(outcomes[1], .threeWay)
        XCTAssertEqual(outcomes[2], .threeWay)
        XCTAssertEqual(outcomes[3], .twoWay)
        XCTAssertEqual(outcomes[5], .contradiction)
        XCTAssertEqual(outcomes[7], .single)
        let five = proposals.filter { $0.row == 5 }
        XCTAssertTrue(five.contains { $0.reasons.contains("金额不一致：1,800.00元 与 1,500.00元") })
        XCTAssertTrue(five.contains { $0.reasons.contains("重量不符：运单3kg，台账400斤") })
        let three = proposals.first { $0.row == 3 }
        XCTAssertEqual(three?.reasons, ["相差2天", "金额一致", "品种一致", "数量一致"])
        XCTAssertEqual(three?.score, 100, "36 for the days, 40 amount, 20 product, 10 quantity: capped")
    }

    func testNearFiguresMatchAndTwoEqualCandidatesAreLeftToAnOffice() {
        let rows = [row(1, .township, yuan: 1_000), row(2, .leadUnit, yuan: 1_010),                  // within 2%
                    row(3, .leadUnit, yuan: 1_010)]                                                  // a second, equal
        let (proposals, outcomes) = Reconciliation.reconcile(rows, [])
        let one = proposals.first { $0.row == 1 }
        XCTAssertEqual(one?.other, .purchase(2), "the lower id among equals")
        XCTAssertEqual(one?.ambiguous, true)
        XCTAssertTrue(one?.reasons.contains("金额相近") ?? false)
        XCTAssertEqual(outcomes[1], .twoWay)
        let far = Reconciliation.reconcile([row(1, .township, yuan: 1_000), row(2, .leadUnit, day: 30, yuan: 1_000)],
            [])
        XCTAssertEqual(far.outcomes[1], .single, "20 days apart: not one purchase")
        let otherTown = Reconciliation.Purchase(id: 2, source: .leadUnit, buyer: 1, township: "500235106", day: day(10),
                                                amount: Fen(100_000), quantity: nil, variety: "红橙")
        XCTAssertEqual(Reconciliation.reconcile([row(1, .township, yuan: 1_000), otherTown], []).outcomes[1], .single)
    }

    func testOneWaybillGoesToOneRowAndTwoEqualCandidatesForItAreAmbiguous() {
        let rows = [row(1, .manual, yuan: 1_800), row(2, .manual, yuan: 1_800)]
        let (proposals, outcomes) = Reconciliation.reconcile(rows, [bill(11, kg: 200)])
        XCTAssertEqual(proposals.map(\.row), [1], "the waybill is linked once")
        XCTAssertEqual(proposals.first?.ambiguous, true, "two rows fit it equally: an office chooses")
        XCTAssertEqual([outcomes[1], outcomes[2]], [.twoWay, .single])
        let mixed = [row(1, .township, yuan: 1_500, "300斤"), row(2, .township, day: 10, yuan: 500, "100斤")]
        let (chosen, _) = Reconciliation.reconcile(mixed, [bill(21, kg: 150)])
        XCTAssertEqual(chosen.map(\.row), [1], "the weight that fits wins; the other row is not called a contradiction")
        XCTAssertEqual(chosen.first?.contradicts, false)
    }

    func testAttributionSumsToTheFenAndPlacesRemaindersDeterministically() {
        let equal = Attribution.split(Fen(1_000), weights: [7: 1, 3: 1, 5: 1])
        XCTAssertEqual(equal.map(\.household), [3, 5, 7])
        XCTAssertEqual(equal.map(\.amount.value), [334, 333, 333], "the odd 分 to the lowest id among equal remainders")
        let weighted = Attribution.split(Fen(10_001), weights: [1: 3, 2: 1, 9: 0])
        XCTAssertEqual(weighted.map(\.amount.value), [7_501, 2_500])
        XCTAssertEqual(weighted.map(\.amount.value).reduce(0, +), 10_001)
        let big = Attribution.split(Fen(Fen.maxFen - 1), weights: [1: Int.max / 4, 2: Int.max / 4])
        XCTAssertEqual(big.map(\.amount.value).reduce(0, +), Fen.maxFen - 1, "no overflow at the largest amounts")
        XCTAssertEqual(Attribution.split(Fen(100), weights: [:]), [])
        XCTAssertEqual(Attribution.topTenthShareBP([Fen(900)] + Array(repeating: Fen(10), count: 9)), 9_090)
    }

    func testARobustScoreFlagsPricesFarFromTheMedianAtThreshold() throws {
        let prices: [Double] = [4.5, 4.6, 4.4, 4.5, 4.7, 4.5, 9.0]
        let z = try XCTUnwrap(RobustScore.scores(prices))
        XCTAssertEqual(z.map { abs($0) > RobustScore.threshold }, [false, false, false, false, false, false, true])
        XCTAssertEqual(z[6], 0.6745 * 4.5 / 0.1, accuracy: 0.001)
        XCTAssertNil(RobustScore.scores([1, 1, 1, 1, 1]), "no spread, no score")
        XCTAssertNil(RobustScore.scores([1, 2]), "too few")
    }

    func testWeightsOfQuantities() {
        XCTAssertEqual(Weights.grams(Quantity.parse("400斤")!), 200_000)
        XCTAssertEqual(Weights.grams(Quantity.parse("2.5吨")!), 2_500_000)
        XCTAssertNil(Weights.grams(Quantity.parse("30箱")!))
        XCTAssertNil(Weights.grams(Quantity(thousandths: .max, unit: "吨")), "overflow is no weight")
    }
}

/// Issue 15: each anomaly rule at and around its threshold.
final class AnomaliesTests: XCTestCase {
    func row(_ id: Int, buyer: Int = 1, seller: String = "s", month: String = "2026-10", yuan: Int64, qty: Int64 = 100,
             twin: Int? = nil) -> Anomalies.Row {
        Anomalies.Row(id: id, buyer: buyer, seller: seller, month: month, variety: "红橙", unit: "斤",
            amount: Fen(yuan * 100),
                      quantityThousandths: qty * 1_000, twinOf: twin)
    }

    func testAPriceFarFromTheMonthsMedianIsFlaggedWithItsFigures() {
        let normal = [450, 460, 440, 450, 470, 450].enumerated().map { row($0.offset + 1, yuan: Int64($0.element)) }
        let flags = Anomalies.scan(normal + [row(9, yuan: 900)])
        XCTAssertEqual(flags.map(\.rule), [.priceOutlier])
        XCTAssertEqual(flags.first?.rows, [9])
        XCTAssertEqual(flags.first?.reason, "单价9元/斤，2026-10同品种中位数4.5元/斤，偏离评分30.35（阈值3.5）")
        XCTAssertEqual(Anomalies.scan(normal + [row(9, yuan: 480)]), [], "within the spread")
        let same = (1...8).map { row($0, yuan: 450) } + [row(9, yuan: 451), row(10, yuan: 540)]
        XCTAssertEqual(Anomalies.scan(same).map(\.rows), [[10]],
                       "where every price is the same, 4.51 is no outlier; 5.40, 20% above, is")
        let thirds = (1...8).map { row($0, yuan: 100, qty: 3) } + [row(9, yuan: 200, qty: 3)]
        // MAD 0: 33.34 / (1.253314 × 33.34 / 9) = 7.18.
        XCTAssertEqual(Anomalies.scan(thirds).first?.reason,
                       "单价66.67元/斤，2026-10同品种中位数33.33元/斤，偏离评分7.18（阈值3.5）",
                       "100元 for 3斤, eight times: equal prices, not a float's last digit apart")
    }

    func testDecemberAboveThreeTimesTheUnitsMonthlyMedian() {
        let months = ["2026-08", "2026-09", "2026-10", "2026-11"].enumerated().map { row($0.offset + 1,
            seller: "s\($0.offset)", month: $0.element, yuan: 1_000) }
        let rush = Anomalies.scan(months + [row(9, month: "2026-12", yuan: 3_100)])
        XCTAssertEqual(rush.map(\.rule), [.yearEndRush])
        XCTAssertEqual(Anomalies.scan(months + [row(9, month: "2026-12",
            yuan: 3_000)]).filter { $0.rule == .yearEndRush }, [],
                       "at the threshold: not above it")
    }

    func testRowsJustUnderTheLimitRoundNumbersAndTwins() {
        let under = (1...3).map { row($0, yuan: 4_600 + Int64($0)) }
        XCTAssertEqual(Anomalies.scan(under).map(\.rule), [.justUnderThreshold])
        XCTAssertEqual(Anomalies.scan(Array(under.prefix(2))).filter { $0.rule == .justUnderThreshold }, [],
            "two are not many")
        let round = (1...10).map { row($0, seller: "s\($0)", yuan: $0 <= 5 ? 2_000 : 1_234, qty: 400) }
        XCTAssertEqual(Anomalies.scan(round).map(\.rule), [.roundNumbers], "half of ten rows in whole thousands")
        XCTAssertEqual(Anomalies.scan(Array(round.dropFirst())).map(\.rule), [], "four of nine")
        XCTAssertEqual(Anomalies.scan([row(1, yuan: 100), row(2, yuan: 100, twin: 1)]).map(\.rows), [[1, 2]])
        let helped = (1...3).map {
            Anomalies.Row(id: $0, buyer: 1, seller: "张*", month: "2026-10", variety: "土豆", unit: "斤",
                          amount: Fen(Int64($0) * 10_000 + 1), quantityThousandths: 1_000 * Int64($0), helped: true)
        }
        XCTAssertEqual(Anomalies.scan(helped).map(\.rule), [.oneHousehold], "three helped-place rows, one seller")
        XCTAssertEqual(Anomalies.scan(Array(helped.prefix(2))).map(\.rule), [], "two are not a pattern")
    }

    func testASellersRowsBeyondItsOfferedSupplyOrAHouseholdsPlausibleSales() throws {
        let key = Anomalies.Supply.key(seller: "s", variety: "红橙")
        let offered = [key: Anomalies.Supply(planned: Quantity(thousandths: 200_000, unit: "斤"), household: false)]
        let rows = [row(1, yuan: 450, qty: 150), row(2, buyer: 2, yuan: 450, qty: 150)]
        XCTAssertEqual(Anomalies.scan(rows, supply: offered, rules: [.beyondSupply]), [],
                       "300斤 of 200斤 is 1.5 times: at the threshold, not above it")
        let more = rows + [row(3, yuan: 10, qty: 1)]
        XCTAssertEqual(Anomalies.scan(more, supply: offered, rules: [.beyondSupply]).map(\.rows), [[1, 2, 3]])
        let household = [key: Anomalies.Supply(planned: nil, household: true)]
        XCTAssertEqual(Anomalies.scan([row(1, yuan: 50_000)], supply: household, rules: [.beyondSupply]), [],
                       "50,000元 is at the threshold")
        XCTAssertEqual(Anomalies.scan([row(1, yuan: 30_000), row(2, yuan: 20_001)], supply: household,
                                      rules: [.beyondSupply]).map(\.reason),
                       ["同一农户的“红橙”记录2笔共50001元，超过一户合理供给50000元"])
        let stored = try JSONDecoder().decode(Anomalies.Thresholds.self, from: Data(#"{"priceScore": 5}"#.utf8))
        XCTAssertEqual([stored.priceScore, stored.supplyTimes], [5, 1.5], "stored before a rule: its default")
    }
}
