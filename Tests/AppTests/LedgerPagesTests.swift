@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// The ledger's and the quotas' pages as offices and units see them, rendered through the real templates.
final class LedgerPagesTests: XCTestCase {
    struct Body: Encodable {
        var buyerUnitId: Int? = nil
        var purchasedOn = "2026-10-12", originRegionCode = Fixtures.village, seller = "王小明", variety = "土豆"
        var quantity = "30斤", amount = "90元", purpose = "canteen", channel = "fiveInto"
    }
    struct P: Decodable { let id: Int }

    func testAPurchasesPageShowsItsSourcesLinksAndAuditTrail() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer"), office = try await apiClient(app, "office")
            let first = try await buyer.post("/api/v1/purchases", Body()).content.decode(P.self)
            let twin = try await buyer.post("/api/v1/purchases", Body(purchasedOn: "2026-10-13")).content.decode(P.self)
            _ = try await office.post("/api/v1/purchases/\(first.id)/verify", VerifyBody())

            var page = try await Browser.signIn(app, "office")
            let queue = try await page.get("/purchases?suspected=1")
            XCTAssertTrue(queue.body.string.contains("id=\"link-\(twin.id)\""), "the duplicate queue offers to link")
            try await assertEqual(try await page.post("/purchases/\(twin.id)/duplicate", ["of": "\(first.id)"]).status, .seeOther)
            try await assertEqual(try await Purchase.find(twin.id, on: app.db)?.duplicateOf, first.id)

            let detail = try await page.get("/purchases/\(first.id)")
            XCTAssertEqual(detail.status, .ok)
            let html = detail.body.string
            XCTAssertTrue(html.contains("云阳县人民医院") && html.contains("单位填报"), "buyer and source")
            XCTAssertTrue(html.contains("与#\(first.id)重复"), "the linked duplicate is shown with it")
            XCTAssertTrue(html.contains("verify") && html.contains("create"), "the audit trail")
            XCTAssertFalse(html.contains("王小明"), "the seller's name stays masked")
            var wuxi = try await Browser.signIn(app, "office.wuxi")
            try await assertEqual(try await wuxi.get("/purchases/\(first.id)").status, .notFound)

            var unit = try await Browser.signIn(app, "buyer")
            let fix = try await unit.post("/purchases/\(first.id)/correct", ["purchasedOn": "2026-10-12", "originRegionCode": Fixtures.village,
                                                                            "seller": "王小明", "variety": "土豆", "quantity": "30斤", "amount": "95元",
                                                                            "purpose": "canteen", "channel": "fiveInto", "reason": "金额有误"])
            XCTAssertEqual(fix.status, .seeOther)
            let replaced = try await unit.get(fix.headers.first(name: .location)!)
            XCTAssertTrue(replaced.body.string.contains("冲正#\(first.id)"), "the new entry's page shows the reversal beside it")
            _ = f
        }
    }

    func testQuotaAndReportingPagesRender() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            struct Adopt: Encodable { let preset = "yunyang2019"; let year = 2026 }
            _ = try await office.post("/api/v1/policies", Adopt())
            struct Own: Encodable { let name = "食堂预留"; let year = 2026; let startsOn = "2026-01-01"; let endsOn = "2026-12-31"; let rules: [Rule] }
            let reserve = Rule(code: "canteenReserve", name: "食堂预留不低于20%", kind: .share, binds: .init(fiveInto: true), base: .canteenFood, shareBP: 2_000)
            try await assertEqual(try await office.post("/api/v1/policies", Own(rules: [reserve])).status, .created)
            var b = Body(); b.buyerUnitId = f.hospital; b.amount = "2万"
            let p = try await office.post("/api/v1/purchases", b).content.decode(P.self)
            _ = try await office.post("/api/v1/purchases/\(p.id)/verify", VerifyBody())

            var page = try await Browser.signIn(app, "office")
            for (path, text) in [("/policies", "消费扶贫“六销”行动（云阳）"), ("/progress", "年度直接销售贫困户农特产品6000万元"),
                                 ("/assessment", "年终考核"), ("/reporting", "逾期未报"), ("/purchases/benefits", "示例村"),
                                 ("/purchases/import", "导入附件2"), ("/bulletins", "生成并发布通报"), ("/", "待核实的采购")] {
                let res = try await page.get(path)
                XCTAssertEqual(res.status, .ok, path)
                XCTAssertTrue(res.body.string.contains(text), "\(path) shows \(text)")
            }
            let xlsx = try await page.get("/assessment/export?year=2026")
            let sheet = try XLSX.read(Data(buffer: xlsx.body))
            XCTAssertEqual(sheet[0].first, "2026年消费帮扶年终考核")
            XCTAssertEqual(sheet[1].first, "区县")
            struct Assessment: Decodable { struct C: Decodable { let name: String; let units: Int }; let counties: [C] }
            let assessed = try await office.get("/api/v1/assessment?year=2026").content.decode(Assessment.self)
            XCTAssertEqual(assessed.counties.map(\.name), ["云阳县"], "unit scores roll up to their county")
            try await assertEqual(try await page.post("/reporting", ["do": "close", "month": "2026-10"]).status, .seeOther)
            try await assertEqual(try await ClosedPeriod.query(on: app.db).count(), 1)
            let refused = try await page.post("/reporting", ["do": "reopen", "month": "2026-10"])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.body.string.contains("id=\"reporting-error\">请填写重新开放的理由"), "the page again, with the reason asked for")
            try await assertEqual(try await ClosedPeriod.query(on: app.db).count(), 1, "nothing reopened")
        }
    }
}
