@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// 滞销监测预警 over HTTP: a township's weekly prices raise a warning against the same weeks of last year, the
/// office publishes it to the area, the public sees it, a wholesale series is imported all or nothing, and an
/// emergency campaign ranks the unit behind its quota first, whose delivery counts toward that quota.
final class PriceWarningFlowTests: XCTestCase {
    struct Product: Encodable {
        var name = "土豆", category = "vegetable", unit = "斤", seasonFrom = 9, seasonTo = 12
        var aliases = ["洋芋", "马铃薯"]
    }
    struct Report: Encodable {
        let productId: Int, week: String, price: String
        var unit = "元/斤", regionCode: String? = nil
    }
    struct Created: Decodable { let id: Int }
    struct Point: Decodable { let priceFen: Int64, outlier: Bool, week: String }
    struct Warning: Decodable {
        let id: Int, level: Int, levelName: String, status: String, figures: String, startedWeek: String
        let history: [PriceWarning.History]
    }

    func product(_ app: Application) async throws -> (APIClient, Int) {
        let office = try await apiClient(app, "office")
        let res = try await office.post("/api/v1/prices/products", Product())
        XCTAssertEqual(res.status, .created, res.body.string)
        return (office, try res.content.decode(Created.self).id)
    }

    /// Last year's weeks 48–50 at 1.80元/斤, this year's 47 at 1.80, then 48 and 49 at 1.30.
    func reportSeason(_ clerk: APIClient, _ product: Int) async throws {
        for (week, price) in [("2025-W48", "1.8"), ("2025-W49", "1.8"), ("2025-W50", "1.8"), ("2026-W47", "1.8"),
                              ("2026-W48", "1.3"), ("2026-W49", "1.3")] {
            let res = try await clerk.post("/api/v1/prices", Report(productId: product, week: week, price: price))
            XCTAssertEqual(res.status, .created, "\(week): \(res.body.string)")
        }
    }

    func testWeeklyPricesRaiseAWarningTheOfficePublishes() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 30))
            let (office, id) = try await product(app)
            let clerk = try await apiClient(app, "clerk")
            try await assertEqual(try await office.post("/api/v1/prices/products", Product()).status, .conflict)

            // A township reports only for its own area; a price needs a unit it can convert.
            let away = Report(productId: id, week: "2026-W48", price: "1.3", regionCode: Fixtures.wuxiTown)
            try await assertEqual(try await clerk.post("/api/v1/prices", away).error().error.code, "out_of_scope")
            let box = Report(productId: id, week: "2026-W48", price: "30", unit: "元/箱")
            try await assertEqual(try await clerk.post("/api/v1/prices", box).error().error.code, "unit_mismatch")
            let future = Report(productId: id, week: "2026-W50", price: "1.3")
            try await assertEqual(try await clerk.post("/api/v1/prices", future).error().error.field, "week")

            try await reportSeason(clerk, id)
            var warnings = try await office.get("/api/v1/warnings").content.decode([Warning].self)
            XCTAssertEqual(warnings.count, 1)
            let w = try XCTUnwrap(warnings.first)
            XCTAssertEqual(w.status, "draft")
            XCTAssertEqual(w.levelName, "蓝色预警")
            XCTAssertEqual(w.startedWeek, "2026年第49周", "two weeks in a row below the same weeks of last year")
            XCTAssertTrue(w.figures.contains("本周价格1.3元/斤，近3年同期中位数1.8元/斤，低27.8%"), w.figures)
            XCTAssertTrue(w.figures.contains("已连续2周"), w.figures)

            // Not public until published; then the area's township and supplier are told.
            let publicBefore = try await app.sendRequest(.GET, "/api/v1/prices/series?productId=\(id)")
            XCTAssertEqual(try publicBefore.content.decode(PublicPrices.Series.self).warnings.count, 0)
            try await assertEqual(try await clerk.post("/api/v1/warnings/\(w.id)/publish", [String: String]()).status,
                                  .forbidden)
            let published = try await office.post("/api/v1/warnings/\(w.id)/publish", [String: String]())
            XCTAssertEqual(try published.content.decode(Warning.self).status, "published")
            try await assertEqual(try await office.post("/api/v1/warnings/\(w.id)/publish", [String: String]()).status,
                                  .conflict)
            let notices = try await Notice.query(on: app.db).all().map(\.reporter)
            XCTAssertEqual(Set(notices), ["township:\(Fixtures.longjiao)", "supplier:\(f.coop)"])
            let series = try await app.sendRequest(.GET, "/api/v1/prices/series?productId=\(id)")
                .content.decode(PublicPrices.Series.self)
            XCTAssertEqual(series.warnings.map(\.id), [w.id])
            XCTAssertEqual(series.weeks.last?.farmFen, 260, "1.30元/斤 is 260分/公斤")
            XCTAssertEqual(series.weeks.last?.lastYearFen, 360)
            var supplier = try await Browser.signIn(app, "supplier")
            try await assertTrue(try await supplier.get("/").body.string.contains("土豆蓝色预警"))
            let page = try await app.sendRequest(.GET, "/prices/\(id)").body.string
            XCTAssertTrue(page.contains("<polyline"), "the chart is drawn")
            XCTAssertTrue(page.contains("蓝色预警"))

            // Another county's office sees none of it; the price rising back releases it after two weeks.
            let wuxi = try await apiClient(app, "office.wuxi")
            try await assertEqual(try await wuxi.get("/api/v1/warnings").content.decode([Warning].self).count, 0)
            app.setToday(LocalDate(year: 2026, month: 12, day: 14))
            for week in ["2026-W50", "2026-W51"] {
                _ = try await clerk.post("/api/v1/prices", Report(productId: id, week: week, price: "1.8"))
            }
            warnings = try await office.get("/api/v1/warnings").content.decode([Warning].self)
            XCTAssertEqual(warnings.first?.status, "released")
            XCTAssertEqual(warnings.first?.history.map(\.level), [1, 1, 0])

            // A late price for an earlier week judges that week and the later ones again, once each.
            _ = try await clerk.post("/api/v1/prices", Report(productId: id, week: "2026-W50", price: "1.7"))
            warnings = try await office.get("/api/v1/warnings").content.decode([Warning].self)
            XCTAssertEqual(warnings.count, 1, "no warning raised twice")
            XCTAssertEqual(warnings.first?.history.map(\.week), ["2026年第49周", "2026年第50周", "2026年第51周"])
            try await assertEqual(try await PriceWeek.query(on: app.db).filter(\.$state == nil).count(), 0)
            let same = try await clerk.post("/api/v1/prices", Report(productId: id, week: "2026-W51", price: "1.8"))
            XCTAssertEqual(same.status, .created)
            try await assertEqual(try await PriceWeek.query(on: app.db).filter(\.$state == nil).count(), 0,
                                  "the same price again judges nothing again")
            struct DayReport: Encodable { let productId: Int, day = "2026-13-40", price = "1.8", unit = "元/斤" }
            let badDay = try await clerk.post("/api/v1/prices", DayReport(productId: id))
            XCTAssertEqual(try badDay.error().error.field, "day", "an unreadable day is refused, not taken as today")
            let county = Report(productId: id, week: "2026-W51", price: "1.8", regionCode: Fixtures.yunyang)
            try await assertEqual(try await office.post("/api/v1/prices", county).error().error.code, "not_township")
        }
    }

    func testAWarningReleasedByHandStaysReleasedUntilTheSeriesClears() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 12, day: 7))
            let (office, id) = try await product(app)
            let clerk = try await apiClient(app, "clerk")
            try await reportSeason(clerk, id)
            var warnings = try await office.get("/api/v1/warnings").content.decode([Warning].self)
            let w = try XCTUnwrap(warnings.first)
            try await assertEqual(try await office.post("/api/v1/warnings/\(w.id)/release", [String: String]()).status,
                                  .ok)
            _ = try await clerk.post("/api/v1/prices", Report(productId: id, week: "2026-W50", price: "1.2"))
            warnings = try await office.get("/api/v1/warnings").content.decode([Warning].self)
            XCTAssertEqual(warnings.map(\.status), ["released"], "the same episode is not raised again")
        }
    }

    func testAWholesaleSeriesIsImportedAllOrNothing() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 30))
            let (office, id) = try await product(app)
            let bad = """
            日期,市场,品种,价格,单位
            2026-11-23,云阳批发市场,洋芋,2.60,元/公斤
            2026-11-24,云阳批发市场,白菜,1.00,元/斤
            2026-11-25,云阳批发市场,土豆,一块二,元/斤
            2026-11-26,云阳批发市场,土豆,12,元/箱
            """
            let refused = try await office.upload("/api/v1/prices/import", Data(bad.utf8), name: "market.csv")
            XCTAssertEqual(refused.status, .unprocessableEntity)
            struct Report: Decodable {
                struct E: Decodable { let row: Int, column: String, code: String }
                let errors: [E]
            }
            let errors = try refused.content.decode(Report.self).errors
            XCTAssertEqual(errors.map(\.row), [3, 4, 5])
            XCTAssertEqual(errors.map(\.column), ["品种", "价格", "单位"])
            try await assertEqual(try await PricePoint.query(on: app.db).count(), 0, "nothing of a refused file")
            let good = """
            日期,市场,品种,价格,单位
            2026-11-16,云阳批发市场,马铃薯,2400,元/吨
            2026-11-23,云阳批发市场,洋芋,2.60,元/公斤
            2026-11-24,云阳批发市场,土豆,1.25,元/斤
            """
            struct Done: Decodable { let rows: Int, points: Int }
            let done = try await office.upload("/api/v1/prices/import", Data(good.utf8), name: "market.csv")
            XCTAssertEqual(try done.content.decode(Done.self).points, 2, "a market's week is one point: its last day")
            let points = try await PricePoint.query(on: app.db).sort(\.$week).all()
            XCTAssertEqual(points.map(\.priceFen), [240, 250])
            _ = try await office.upload("/api/v1/prices/import", Data(good.utf8), name: "market.csv")
            try await assertEqual(try await PricePoint.query(on: app.db).count(), 2, "the same file twice adds nothing")
            let clerk = try await apiClient(app, "clerk")
            let byClerk = try await clerk.upload("/api/v1/prices/import", Data(good.utf8), name: "m.csv")
            XCTAssertEqual(byClerk.status, .forbidden)
            _ = id
        }
    }

    struct Offer: Encodable {
        let regionCode = Fixtures.village, sellerName = "龙角镇柑橘合作社", variety = "洋芋"
        let quantity = "1000斤", price = "1.6元/斤", supplyMethod = "delivery", contactName = "刘主任"
        let contactPhone = "17723635558"
    }
    struct Stock: Decodable {
        let product: String, offered: String, sold: String, sellThroughBP: Int, seasonElapsedBP: Int
    }
    struct Summary: Decodable { let judged: Int, weeks: [String] }

    func testTheWeeklyRunDerivesPricesFromTheLedgerAndReadsStockAgainstTheSeason() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 30))
            let (office, id) = try await product(app)
            let clerk = try await apiClient(app, "clerk")
            let supplier = try await apiClient(app, "supplier")
            let offer = try await supplier.post("/api/v1/offers", Offer())
            XCTAssertEqual(offer.status, .created, offer.body.string)
            struct Bought: Encodable {
                let buyerUnitId: Int, purchasedOn: String, originRegionCode = Fixtures.village, seller = "张大山"
                let variety: String, quantity: String, amount: String, purpose = "canteen", channel = "fiveInto"
            }
            struct P: Decodable { let id: Int }
            let rows = [("洋芋", "100斤", "150"), ("马铃薯", "50公斤", "140"), ("土豆", "200斤", "260")]
            for (variety, quantity, amount) in rows {
                let body = Bought(buyerUnitId: f.hospital, purchasedOn: "2026-11-30", variety: variety,
                                  quantity: quantity, amount: amount)
                let row = try await office.post("/api/v1/purchases", body).content.decode(P.self)
                _ = try await office.post("/api/v1/purchases/\(row.id)/verify", VerifyBody())
            }
            let summary = try await office.post("/api/v1/warnings/run", [String: String]()).content.decode(Summary.self)
            XCTAssertEqual(summary.weeks, ["2026-W49"])
            let derived = try await PricePoint.query(on: app.db).filter(\.$source == "derived").all()
            // 1.50元/斤, 1.40元/斤 (2.80元/公斤), 1.30元/斤 and the offer's 1.60元/斤: the median of four, per 公斤.
            XCTAssertEqual(derived.map(\.priceFen), [290])
            XCTAssertEqual(derived.map(\.regionCode), [Fixtures.longjiao], "kept for the origin's township")
            let stock = try await clerk.get("/api/v1/prices/stock").content.decode([Stock].self)
            XCTAssertEqual(stock.map(\.product), ["土豆"])
            XCTAssertEqual(stock.first?.offered, "500kg")
            XCTAssertEqual(stock.first?.sold, "200kg", "150斤 of 洋芋, 50公斤 of 马铃薯 and 200斤 of 土豆")
            XCTAssertEqual(stock.first?.sellThroughBP, 4_000)
            XCTAssertEqual(stock.first?.seasonElapsedBP, 7_459, "91 of 122 days of September–December")
            try await assertEqual(try await office.post("/api/v1/warnings/run", [String: String]())
                .content.decode(Summary.self).judged, 0, "nothing new: nothing judged again")

            // A price far from the place's week before is flagged and kept.
            _ = try await clerk.post("/api/v1/prices", Report(productId: id, week: "2026-W47", price: "1.6"))
            let far = try await clerk.post("/api/v1/prices", Report(productId: id, week: "2026-W48", price: "0.6"))
            XCTAssertEqual(try far.content.decode(Point.self).outlier, true)
            try await assertEqual(try await PriceWeek.query(on: app.db).filter(\.$week == 202648).first()?.priceFen,
                                  120, "an only point stands for its week even when flagged")
        }
    }

    struct Campaign: Encodable {
        let productId: Int, warningId: Int?, originRegionCode = Fixtures.longjiao, quantity = "10000"
        var floorPrice = "1.0", deadline = "2026-12-20"
    }
    struct Proposal: Decodable { let unitId: Int, rank: Int, points: Int, reasons: [String] }
    struct Delivery: Encodable {
        var buyerUnitId: Int? = nil, purchasedOn = "2026-11-30", seller = "龙角镇洋芋合作社", quantity = "3000"
        var amount = "3600", channel = "fiveInto", purpose = "canteen", belowFloorReason: String? = nil
    }
    struct Line: Decodable { let unitId: Int?, actualFen: Int64, state: String }

    func testACampaignRanksTheUnitBehindItsQuotaFirstAndItsDeliveryCounts() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 30))
            let (office, id) = try await product(app)
            let buyer = try await apiClient(app, "buyer"), lead = try await apiClient(app, "lead")
            struct Adopt: Encodable {
                let year = 2026, name = "食堂预留", startsOn = "2026-01-01", endsOn = "2026-12-31"
                let rules = [Rule(code: "canteen", name: "食堂预留不低于20%", kind: .share,
                                  binds: .init(fiveInto: true), base: .canteenFood, shareBP: 2_000)]
            }
            try await assertEqual(try await office.post("/api/v1/policies", Adopt()).status, .created)
            struct Declare: Encodable { let buyerUnitId: Int, year = 2026, kind = "canteenFood", value: String }
            _ = try await office.post("/api/v1/declarations", Declare(buyerUnitId: f.hospital, value: "100万"))
            _ = try await office.post("/api/v1/declarations", Declare(buyerUnitId: f.school, value: "1万"))
            struct Bought: Encodable {
                let buyerUnitId: Int, purchasedOn = "2026-10-10", originRegionCode = Fixtures.village, seller = "王小明"
                let variety = "白菜", quantity = "500斤", amount = "2500", purpose = "canteen", channel = "fiveInto"
            }
            struct P: Decodable { let id: Int }
            let row = try await office.post("/api/v1/purchases", Bought(buyerUnitId: f.school)).content.decode(P.self)
            _ = try await office.post("/api/v1/purchases/\(row.id)/verify", VerifyBody())

            let res = try await office.post("/api/v1/campaigns", Campaign(productId: id, warningId: nil))
            XCTAssertEqual(res.status, .created, res.body.string)
            let campaign = try res.content.decode(Created.self).id
            let low = Campaign(productId: id, warningId: nil, floorPrice: "-1")
            try await assertEqual(try await office.post("/api/v1/campaigns", low).error().error.field, "floorPrice")
            let proposals = try await office.get("/api/v1/campaigns/\(campaign)/proposals")
                .content.decode([Proposal].self)
            // 医院: 3 (behind) + 2 (canteen) + 1 (its 100万 base covers the 1万 campaign); 实验中学 met its target.
            XCTAssertEqual(proposals.map(\.unitId), [f.hospital, f.school])
            XCTAssertEqual(proposals.map(\.points), [6, 3])
            XCTAssertTrue(proposals[0].reasons[0].hasPrefix("落后序时进度"), proposals[0].reasons[0])

            try await assertEqual(try await buyer.post("/api/v1/campaigns/\(campaign)/pledges",
                                                       ["quantity": "5000"]).status, .notFound, "not invited: not seen")
            struct Invite: Encodable { let unitIds: [Int] }
            let stranger = try await office.post("/api/v1/campaigns/\(campaign)/invitations",
                                                 Invite(unitIds: [f.wuxiUnit]))
            XCTAssertEqual(try stranger.error().error.code, "not_proposed")
            try await assertEqual(try await office.post("/api/v1/campaigns/\(campaign)/invitations",
                                                        Invite(unitIds: [f.hospital, f.school])).status, .ok)
            try await assertEqual(try await lead.get("/api/v1/campaigns").content.decode([Created].self).map(\.id),
                                  [campaign], "the school's lead system sees the campaign its unit is invited to")
            try await assertEqual(try await buyer.post("/api/v1/campaigns/\(campaign)/pledges",
                                                       ["quantity": "5000"]).status, .ok)
            try await assertEqual(try await buyer.post("/api/v1/campaigns/\(campaign)/pledges",
                                                       ["quantity": "20000"]).error().error.code, "over_target")

            var cheap = Delivery(amount: "2400")
            try await assertEqual(try await buyer.post("/api/v1/campaigns/\(campaign)/deliveries", cheap)
                .error().error.code, "below_floor", "0.80元/斤 is below the 1.00 floor")
            cheap.belowFloorReason = "部分二级品，双方议定"
            try await assertEqual(try await buyer.post("/api/v1/campaigns/\(campaign)/deliveries", cheap).status,
                                  .created, "with a reason it is recorded")
            let delivered = try await buyer.post("/api/v1/campaigns/\(campaign)/deliveries", Delivery())
            XCTAssertEqual(delivered.status, .created, delivered.body.string)
            let purchase = try delivered.content.decode(P.self).id
            let verified = try await office.post("/api/v1/purchases/\(purchase)/verify", VerifyBody())
            XCTAssertEqual(verified.status, .ok)

            let mine = try await buyer.get("/api/v1/progress?year=2026").content.decode([Line].self)
            XCTAssertEqual(mine.first?.actualFen, 360_000, "the verified delivery counts toward the hospital's quota")
            struct Progress: Decodable { let pledged: String, delivered: String, paid: String, amount: String }
            let p = try await office.get("/api/v1/campaigns/\(campaign)").content.decode(Progress.self)
            XCTAssertEqual(p.pledged, "5000斤")
            XCTAssertEqual(p.delivered, "6000斤")
            XCTAssertEqual(p.amount, "6,000.00元")
            XCTAssertEqual(p.paid, "3,600.00元", "paid: the delivery whose proof was verified")
            struct Units: Decodable { struct U: Decodable { let unitId: Int }; let units: [U] }
            let seen = try await buyer.get("/api/v1/campaigns/\(campaign)").content.decode(Units.self)
            XCTAssertEqual(seen.units.map(\.unitId), [f.hospital], "a unit sees its own line, not the others'")
            let report = try await office.get("/api/v1/campaigns/\(campaign)/report?format=csv").body.string
            XCTAssertTrue(report.contains("云阳县人民医院"), report)
            let closed = try await office.post("/api/v1/campaigns/\(campaign)/close", [String: String]())
            XCTAssertEqual(closed.status, .ok)
            try await assertEqual(try await buyer.post("/api/v1/campaigns/\(campaign)/pledges",
                                                       ["quantity": "1"]).status, .conflict)
        }
    }
}
