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
        XCTAssertNil(NeedMatching.split(tooMuch, NeedMatching.rank(tooMuch, [offer(1, other)])),
            "stock cannot cover it")
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

    func testStockIsReservedOnConfirmationAndAnOrderBeyondItRefused() throws {
        let stock = Quantity.parse("500斤")!
        let held = try OrderFlow.reserve(Quantity.parse("300斤")!, stock: stock, reserved: 0)
        XCTAssertEqual(held, 300_000)
        XCTAssertEqual(OrderFlow.available(stock: stock.thousandths, reserved: held), 200_000)
        XCTAssertThrowsError(try OrderFlow.reserve(Quantity.parse("201斤")!, stock: stock, reserved: held)) { error in
            XCTAssertEqual((error as? OrderStepRefused)?.message, "库存不足：可售200斤，订单需201斤")
        }
        XCTAssertThrowsError(try OrderFlow.reserve(Quantity.parse("1吨")!, stock: stock, reserved: 0), "another unit")
        let released = held - 300_000
        XCTAssertEqual(OrderFlow.available(stock: stock.thousandths, reserved: released), 500_000,
            "a cancel releases it")
        XCTAssertEqual(OrderFlow.available(stock: 100, reserved: 400), 0, "never below nothing")
    }

    func testPartialDeliveryNeedsAReasonAndNeverExceedsTheOrder() throws {
        try OrderFlow.check([.init(ordered: 200_000, accepted: 200_000, reason: nil),
                             .init(ordered: 100_000, accepted: 80_000, reason: "20斤腐烂拒收")])
        XCTAssertThrowsError(try OrderFlow.check([.init(ordered: 100_000, accepted: 80_000, reason: nil)])) { error in
            XCTAssertEqual((error as? OrderStepRefused)?.code, "reason_required")
        }
        XCTAssertThrowsError(try OrderFlow.check([.init(ordered: 1, accepted: 2, reason: "多送")])) { error in
            XCTAssertEqual((error as? OrderStepRefused)?.message, "第1行：验收数量不能超过订购数量")
        }
        XCTAssertThrowsError(try OrderFlow.check([.init(ordered: 1, accepted: -1, reason: "x")]))
    }

    func testPaymentAndRefundFollowTheOrder() throws {
        XCTAssertThrowsError(try OrderFlow.pay(state: .placed, payment: .unpaid), "not before the seller confirms")
        try OrderFlow.pay(state: .confirmed, payment: .unpaid)
        try OrderFlow.pay(state: .accepted, payment: .unpaid)
        XCTAssertThrowsError(try OrderFlow.pay(state: .accepted, payment: .paid), "paid once")
        XCTAssertThrowsError(try OrderFlow.pay(state: .cancelled, payment: .unpaid))
        try OrderFlow.refund(state: .cancelled, payment: .paid, inLedger: false)
        try OrderFlow.refund(state: .accepted, payment: .paid, inLedger: false)
        XCTAssertThrowsError(try OrderFlow.refund(state: .accepted, payment: .unpaid, inLedger: false))
        XCTAssertThrowsError(try OrderFlow.refund(state: .accepted, payment: .paid, inLedger: true),
            "counted on acceptance")
        XCTAssertThrowsError(try OrderFlow.refund(state: .completed, payment: .paid, inLedger: true)) { error in
            XCTAssertEqual((error as? OrderStepRefused)?.code, "refund_after_ledger")
        }
    }

    func testALinesAmountIsRoundedToTheFenAndNeverOverflows() {
        XCTAssertEqual(OrderFlow.lineAmount(150_000, unitPrice: Fen(380)), Fen(57_000), "150斤 × 3.8元")
        XCTAssertEqual(OrderFlow.lineAmount(1_500, unitPrice: Fen(333)), Fen(500), "1.5 × 3.33 = 4.995 → 5.00")
        XCTAssertNil(OrderFlow.lineAmount(Int64.max / 2, unitPrice: Fen(1_000)))
        XCTAssertNil(OrderFlow.lineAmount(-1, unitPrice: Fen(100)))
    }

    func testATrackingExportIsReadThroughTheCarriersMapping() throws {
        let sf = CarrierMapping.presets[0]
        let cells = [["运单号", "时间", "地点", "状态"],
                     ["SF1234567890", "2026/11/28 09:05:00", "云阳县龙角镇", "已揽收"],
                     ["", "", "", ""],
                     ["SF1234567890", "2026-11-29T18:30", "重庆万州中转", "运输中"]]
        let events = try TrackingSheet.parse(cells, mapping: sf)
        XCTAssertEqual(events, [TrackingRecord(line: 2, waybill: "SF1234567890", at: "2026-11-28 09:05",
                                               place: "云阳县龙角镇", status: "已揽收"),
                                TrackingRecord(line: 4, waybill: "SF1234567890", at: "2026-11-29 18:30",
                                               place: "重庆万州中转", status: "运输中")])
        let bad = [["运单号", "时间", "地点", "状态"], ["SF-1", "昨天", "x", "已揽收"], ["SF99999", "2026-11-31 08:00", "", ""]]
        XCTAssertThrowsError(try TrackingSheet.parse(bad, mapping: sf)) { error in
            let rows = (error as? ImportRejected)?.errors.map { "\($0.row):\($0.code)" }
            XCTAssertEqual(rows, ["2:bad_waybill", "3:bad_time"])
        }
        XCTAssertThrowsError(try TrackingSheet.parse([["邮件号", "处理时间"]], mapping: sf)) { error in
            XCTAssertEqual((error as? ImportRejected)?.errors.first?.message, "不是顺丰速运的导出：缺少列运单号、时间、状态、地点")
        }
    }

    func testReceivablesAgeInBucketsAndPastTheLimitAreOverdue() {
        let accepted = LocalDate(year: 2026, month: 10, day: 20)
        XCTAssertEqual(accepted.days(until: LocalDate(year: 2026, month: 11, day: 30)), 41)
        XCTAssertEqual(Receivables.bucket(days: 41), .within60)
        XCTAssertEqual([0, 30, 31, 90, 91].map { Receivables.bucket(days: $0) }, [.within30, .within30, .within60,
            .within90, .over90])
        XCTAssertTrue(Receivables.overdue(acceptedOn: accepted, today: LocalDate(year: 2026, month: 11, day: 30),
            limit: 30))
        XCTAssertFalse(Receivables.overdue(acceptedOn: accepted, today: LocalDate(year: 2026, month: 11, day: 19),
            limit: 30))
    }

    func testAStandingNeedDeliversEveryWeekThroughTheTerm() {
        let from = LocalDate(year: 2026, month: 12, day: 1), to = LocalDate(year: 2027, month: 1, day: 15)
        let weekly = StandingNeed.deliveries(from: from, to: to, every: 7)
        XCTAssertEqual(weekly.count, 7)
        XCTAssertEqual(weekly.last?.description, "2027-01-12")
        XCTAssertEqual(StandingNeed.deliveries(from: from, to: to, every: nil), [from], "a single delivery")
        XCTAssertEqual(StandingNeed.deliveries(from: from, to: from.adding(days: 10_000), every: 1).count, 400,
            "capped")
    }

    func testMatchingManyNeedsAtOnceGivesWhatRankGivesEachOne() {
        var rng = SystemRandomNumberGenerator()
        let places = [helpedVillage, deepVillage, other, RegionCode("500235139000")!]
        let offers = (1...300).map { id in
            offer(id, places[Int.random(in: 0..<4, using: &rng)], deep: Bool.random(using: &rng),
                  stock: "\(Int.random(in: 1...400, using: &rng))斤", price: Int64.random(in: 100...500, using: &rng),
                  certified: Int.random(in: 0..<5, using: &rng) > 0, marks: Bool.random(using: &rng) ? [.green] : [],
                  variety: Bool.random(using: &rng) ? "土豆" : "红薯")
        }
        let prepared = NeedMatching.Prepared(offers)
        for _ in 0..<200 {
            let need = NeedMatching.Need(
                variety: Bool.random(using: &rng) ? "土豆" : "红薯", quantity: Quantity
                    .parse("\(Int.random(in: 1...900, using: &rng))斤")!,
                priceCeiling: Bool.random(using: &rng) ? Fen(Int64.random(in: 150...500, using: &rng)) : nil,
                certifiedOnly: Bool.random(using: &rng),
                helpedPlaces: Bool.random(using: &rng) ? [places[Int.random(in: 0..<4, using: &rng)]] : [],
                marks: Int.random(in: 0..<4, using: &rng) == 0 ? [.green] : [])
            let limit = Int.random(in: 1...40, using: &rng)
            XCTAssertEqual(NeedMatching.top(need, prepared, market: Fen(300), limit: limit),
                           Array(NeedMatching.rank(need, offers, market: Fen(300)).prefix(limit)), "\(need)")
        }
    }

    func testANeedNamingACategoryIsServedByItsVarieties() {
        let fruit = NeedMatching.Offer(id: 1, variety: "云阳红橙", place: other, deepPoverty: false, certified: true,
                                       fresh: true, stock: Quantity.parse("100斤")!, price: UnitPrice(fen: Fen(450),
                                           unit: "斤"),
                                       category: "水果")
        let need = NeedMatching.Need(variety: "水果", quantity: Quantity.parse("50斤")!)
        XCTAssertEqual(NeedMatching.rank(need, [fruit, offer(2, other)]).map(\.offerID), [1])
    }
}
