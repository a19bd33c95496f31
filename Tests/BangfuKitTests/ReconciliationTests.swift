import BangfuKit
import XCTest

/// Issue 15's domain: three sources matched and scored, attribution to households to the 分, robust outliers.
final class ReconciliationTests: XCTestCase {
    let town = "500235105"
    func day(_ d: Int) -> LocalDate { LocalDate(year: 2026, month: 10, day: d) }
    func row(_ id: Int, _ source: Reconciliation.Source, buyer: Int = 1, day d: Int = 10, yuan: Int64,
             _ quantity: String? = "400斤", variety: String = "红橙") -> Reconciliation.Purchase {
        Reconciliation.Purchase(id: id, source: source, buyer: buyer, township: town, day: day(d), amount: Fen(yuan * 100),
                                quantity: quantity.flatMap(Quantity.parse), variety: variety)
    }
    func bill(_ id: Int, buyer: Int? = 1, day d: Int = 9, kg: Int64?, item: String = "云阳红橙") -> Reconciliation.Waybill {
        Reconciliation.Waybill(id: id, township: town, receiver: buyer, shipped: day(d), grams: kg.map { $0 * 1_000 }, item: item)
    }

    func testThreeSourcesThatAgreeTwoThatAgreeOneAloneAndAContradiction() {
        let rows = [row(1, .township, yuan: 1_800), row(2, .leadUnit, yuan: 1_800),                 // agree, with a waybill
                    row(3, .township, buyer: 2, yuan: 900, "200斤"), row(4, .leadUnit, buyer: 2, day: 12, yuan: 900, "200斤"),
                    row(5, .township, buyer: 3, yuan: 1_800), row(6, .leadUnit, buyer: 3, yuan: 1_500),  // 1,800 vs 1,500
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
        let far = Reconciliation.reconcile([row(1, .township, yuan: 1_000), row(2, .leadUnit, day: 30, yuan: 1_000)], [])
        XCTAssertEqual(far.outcomes[1], .single, "20 days apart: not one purchase")
        let otherTown = Reconciliation.Purchase(id: 2, source: .leadUnit, buyer: 1, township: "500235106", day: day(10),
                                                amount: Fen(100_000), quantity: nil, variety: "红橙")
        XCTAssertEqual(Reconciliation.reconcile([row(1, .township, yuan: 1_000), otherTown], []).outcomes[1], .single)
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
