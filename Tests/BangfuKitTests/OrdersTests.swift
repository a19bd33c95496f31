import BangfuKit
import XCTest

/// Issue 14's domain: matching needs to offers, the order's steps, when an order counts, and freight.
final class OrdersTests: XCTestCase {
    let helpedVillage = RegionCode("500235105201")!
    let deepVillage = RegionCode("500235139201")!
    let other = RegionCode("500235133201")!

    func offer(_ id: Int, _ place: RegionCode, deep: Bool = false, stock: String = "500斤", price: Int64 = 300,
               certified: Bool = true, fresh: Bool = true, marks: Set<QualityMark> = [],
               variety: String = "土豆") -> NeedMatching.Offer {
        NeedMatching.Offer(id: id, variety: variety, place: place, deepPoverty: deep, certified: certified,
                           fresh: fresh, stock: Quantity.parse(stock)!, price: UnitPrice(fen: Fen(price), unit: "斤"),
                           marks: marks)
    }

    func testMatchesRankHelpedPlacesThenDeepPovertyThenOthersWithReasons() {
        let need = NeedMatching.Need(variety: "土豆", quantity: Quantity.parse("200斤")!, priceCeiling: Fen(400),
                                     helpedPlaces: [helpedVillage], marks: [.geographicalIndication])
        let offers = [
            offer(1, other, price: 200),                                     // cheapest, but no tie to the buyer
            offer(2, deepVillage, deep: true, price: 350),
            offer(3, helpedVillage, price: 380),
            offer(4, deepVillage, deep: true, price: 360, marks: [.geographicalIndication]),
            offer(5, other, price: 450),                                     // above the ceiling
            offer(6, helpedVillage, certified: false),                       // not certified
            offer(7, helpedVillage, fresh: false),                           // not updated within a month
            offer(8, other, stock: "0.5吨"),                                  // another unit
            offer(9, other, price: 250, variety: "红薯"),                      // another variety
        ]
        let ranked = NeedMatching.rank(need, offers, market: Fen(300))
        XCTAssertEqual(ranked.map(\.offerID), [3, 4, 2, 1],
                       "helped, then deep poverty (the requested mark first), then others")
        XCTAssertEqual(ranked.map(\.tier), [.helped, .deepPoverty, .deepPoverty, .other])
        XCTAssertEqual(ranked[0].reasons, ["结对/帮扶地区", "高于市场价27%"])
        XCTAssertEqual(ranked[1].reasons, ["原深度贫困地区", QualityMark.geographicalIndication.chineseName, "高于市场价20%"])
        XCTAssertEqual(ranked[3].reasons, ["其他地区", "低于市场价33%"])
    }

    func testANeedNoOfferCoversAloneIsSplitAcrossTheRankedOffers() {
        let need = NeedMatching.Need(variety: "土豆", quantity: Quantity.parse("800斤")!, helpedPlaces: [helpedVillage])
        let ranked = NeedMatching.rank(need, [offer(1, other, stock: "600斤"), offer(2, helpedVillage, stock: "300斤")])
        XCTAssertEqual(ranked.map(\.offerID), [2, 1])
        XCTAssertTrue(ranked[0].reasons.contains("库存300斤，需与其他供方拼单"))
        let parts = NeedMatching.split(need, ranked)
        XCTAssertEqual(parts?.map(\.offerID), [2, 1])
        XCTAssertEqual(parts?.map(\.quantity.description), ["300斤", "500斤"])
        let tooMuch = NeedMatching.Need(variety: "土豆", quantity: Quantity.parse("2000斤")!)
        XCTAssertNil(NeedMatching.split(tooMuch, NeedMatching.rank(tooMuch, [offer(1, other)])), "stock cannot cover it")
    }

    func testEveryOrderStepAllowedAndEveryOtherRefused() throws {
        let path: [(OrderEvent, OrderState)] = [(.confirm, .confirmed), (.ship, .shipped), (.accept, .accepted),
                                                (.evaluate, .evaluated), (.complete, .completed)]
        var state = OrderState.placed
        for (event, next) in path {
            state = try OrderFlow.apply(event, to: state)
            XCTAssertEqual(state, next)
        }
        let allowed: Set<String> = ["placed.confirm", "placed.cancel", "confirmed.ship", "confirmed.cancel",
                                    "shipped.accept", "accepted.evaluate", "evaluated.complete"]
        for s in OrderState.allCases {
            for e in OrderEvent.allCases {
                let ok = (try? OrderFlow.apply(e, to: s)) != nil
                XCTAssertEqual(ok, allowed.contains("\(s.rawValue).\(e.rawValue)"), "\(s).\(e)")
            }
        }
        XCTAssertThrowsError(try OrderFlow.apply(.cancel, to: .shipped)) { error in
            XCTAssertEqual((error as? OrderStepRefused)?.message, "订单已发货，不能取消")
        }
    }

    func testAnOrderCountsWhenTheJurisdictionsRuleSays() {
        XCTAssertEqual(OrderFlow.ledgerReady(state: .accepted, paid: true, rule: .platform832).missing, ["评价"])
        XCTAssertEqual(OrderFlow.ledgerReady(state: .evaluated, paid: false, rule: .platform832).missing, ["付款"])
        XCTAssertTrue(OrderFlow.ledgerReady(state: .evaluated, paid: true, rule: .platform832).ready,
                      "832: accepted, paid, evaluated")
        XCTAssertTrue(OrderFlow.ledgerReady(state: .accepted, paid: false, rule: .onAcceptance).ready)
        XCTAssertEqual(OrderFlow.ledgerReady(state: .shipped, paid: true, rule: .onAcceptance).missing, ["验收"])
        XCTAssertFalse(OrderFlow.ledgerReady(state: .cancelled, paid: true, rule: .onAcceptance).ready)
    }

    func testFreightNeverComesOffTheHouseholdsReceivable() throws {
        XCTAssertEqual(try OrderFlow.sellerReceivable(goodsAccepted: Fen(90_000), freightDeducted: .zero), Fen(90_000))
        let deducting = { try OrderFlow.sellerReceivable(goodsAccepted: Fen(90_000), freightDeducted: Fen(1_500)) }
        XCTAssertThrowsError(try deducting()) { error in
            XCTAssertEqual((error as? OrderStepRefused)?.code, "freight_on_seller")
        }
    }
}
