@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Policies as data, declarations, progress that drills down to its rows, the reporting calendar and
/// the quarterly bulletin, whose totals equal the ledger recomputed and which stays frozen once published.
final class QuotaFlowTests: XCTestCase {
    struct Body: Encodable {
        var buyerUnitId: Int? = nil
        var purchasedOn = "2026-09-10", originRegionCode = Fixtures.village, seller = "王小明", variety = "土豆"
        var quantity = "30斤", amount = "15万", purpose = "canteen", channel = "fiveInto"
    }
    struct P: Decodable { let id: Int; let amountFen: Int64; let awaitsCheck: Bool }
    struct Line: Decodable {
        let ruleCode: String; let subject: String; let unitId: Int?; let targetFen: Int64?; let actualFen: Int64
        let state: String; let finding: String?; let rowsURL: String?
    }
    struct Adopt: Encodable { var preset: String? = nil; var year = 2026; var name: String? = nil; var startsOn: String? = nil; var endsOn: String? = nil; var rules: [Rule]? = nil }

    /// Records a purchase as the office and, off a platform, verifies it, so that it counts.
    func bought(_ office: APIClient, _ unit: Int, _ body: Body) async throws -> P {
        var b = body; b.buyerUnitId = unit
        let p = try await office.post("/api/v1/purchases", b).content.decode(P.self)
        if p.awaitsCheck {
            try await assertEqual(try await office.post("/api/v1/purchases/\(p.id)/verify", VerifyBody()).status, .ok)
        }
        return p
    }

    func testProgressAgainstDeclaredBasesDrillsDownToItsRows() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office"), buyer = try await apiClient(app, "buyer")
            let rule = Rule(code: "canteenReserve", name: "食堂预留不低于20%", kind: .share, binds: .init(fiveInto: true), base: .canteenFood, shareBP: 2_000)
            var bad = Adopt(name: "坏规则", startsOn: "2026-01-01", endsOn: "2026-12-31", rules: [Rule(code: "x", name: "x", kind: .share)])
            try await assertEqual(try await office.post("/api/v1/policies", bad).error().error.field, "rules[0]")
            bad.rules = [rule]
            try await assertEqual(try await office.post("/api/v1/policies", bad).status, .created)
            try await assertEqual(try await buyer.post("/api/v1/policies", bad).status, .forbidden)

            struct Declare: Encodable { var buyerUnitId: Int? = nil; let year = 2026; let kind: String; let value: String }
            try await assertEqual(try await buyer.post("/api/v1/declarations", Declare(kind: "canteenFood", value: "100万")).status, .ok)
            try await assertEqual(try await buyer.post("/api/v1/declarations", Declare(buyerUnitId: f.school, kind: "canteenFood", value: "1万")).status,
                                  .unprocessableEntity, "a unit declares only for itself")
            _ = try await bought(office, f.hospital, Body())
            _ = try await bought(office, f.hospital, Body(purchasedOn: "2026-10-05", amount: "5万", channel: "p832"))
            _ = try await office.post("/api/v1/purchases", Body(buyerUnitId: f.hospital, purchasedOn: "2026-10-06", seller: "张大山", amount: "9万"))  // pending: not counted

            let mine = try await buyer.get("/api/v1/progress?year=2026").content.decode([Line].self)
            XCTAssertEqual(mine.map(\.unitId), [f.hospital], "a unit sees only its own progress")
            XCTAssertEqual(mine[0].targetFen, 20_000_000)
            XCTAssertEqual(mine[0].actualFen, 20_000_000, "verified rows only: 15万 + 5万")
            XCTAssertEqual(mine[0].state, "met", "exactly at the threshold")

            let all = try await office.get("/api/v1/progress?year=2026").content.decode([Line].self)
            let school = try XCTUnwrap(all.first { $0.unitId == f.school })
            XCTAssertEqual(school.state, "missingDeclaration")
            XCTAssertNotNil(school.finding)

            struct Row: Decodable { let amountFen: Int64 }
            let rows = try await buyer.get("/api/v1" + mine[0].rowsURL!)
                .content.decode([Row].self)
            XCTAssertEqual(rows.reduce(0) { $0 + $1.amountFen }, mine[0].actualFen, "the figure drills down to exactly its rows")

            let sep = try await office.get("/api/v1/progress?year=2026&asOf=2026-09-30").content.decode([Line].self).first { $0.unitId == f.hospital }
            XCTAssertEqual(sep?.actualFen, 15_000_000)
            XCTAssertEqual(sep?.state, "onPace", "15万 of 20万 is ahead of 序时进度 at the end of September")
        }
    }

    /// Issue 13, item 6: a preset adopted twice would count every rule twice; 运城's ends with 2025.
    func testAPolicyIsAdoptedOnceAYearAndOnlyWithinItsValidity() async throws {
        try await withApp { app, _ in
            let office = try await apiClient(app, "office")
            try await assertEqual(try await office.post("/api/v1/policies", Adopt(preset: "yunyang2019")).status,
                .created)
            let twice = try await office.post("/api/v1/policies", Adopt(preset: "yunyang2019"))
            XCTAssertEqual(twice.status, .conflict)
            XCTAssertTrue(try twice.error().error.message.contains("不能重复采用"))
            try await assertEqual(try await office.post("/api/v1/policies", Adopt(preset: "yunyang2019",
                year: 2027)).status, .created)
            let late = try await office.post("/api/v1/policies", Adopt(preset: "yuncheng2022"))
            XCTAssertEqual(late.status, .unprocessableEntity)
            XCTAssertEqual(try late.error().error.code, "outside_validity")
            XCTAssertTrue(try late.error().error.message.contains("2025-12-31"))
            try await assertEqual(try await office.post("/api/v1/policies", Adopt(preset: "yuncheng2022",
                year: 2025)).status, .created)
            var page = try await Browser.signIn(app, "office")
            let html = try await page.get("/policies").body.string
            XCTAssertTrue(html.contains("云阳县 · 有效期"), "the jurisdiction by name, not its code")
        }
    }

    func testAPublishedBulletinEqualsTheLedgerAndStaysFrozen() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            try await assertEqual(try await office.post("/api/v1/policies", Adopt(preset: "yunyang2019")).status, .created)
            _ = try await bought(office, f.hospital, Body())
            _ = try await bought(office, f.school, Body(purchasedOn: "2026-08-01", seller: "张大山", amount: "2万", purpose: "unionWelfare", channel: "ecommerce"))
            _ = try await bought(office, f.school, Body(purchasedOn: "2026-10-08", seller: "李四", amount: "3万"))

            struct Publish: Encodable { let year: Int; let quarter: Int }
            try await assertEqual(try await office.post("/api/v1/bulletins", Publish(year: 2026, quarter: 4)).status, .unprocessableEntity,
                                  "the quarter has not ended")
            struct Summary: Decodable { let id: Int; let dataVersion: Int }
            let published = try await office.post("/api/v1/bulletins", Publish(year: 2026, quarter: 3)).content.decode(Summary.self)
            let counted = try await Purchase.query(on: app.db).all().filter { $0.counts && $0.bookedOn >= "2026-07-01" && $0.bookedOn <= "2026-09-30" }
            let b = try await app.sendRequest(.GET, "/api/v1/bulletins/\(published.id)").content.decode(Bulletin.self)
            XCTAssertEqual(b.quarterFen, counted.reduce(0) { $0 + $1.amountFen }, "the bulletin's total equals the ledger recomputed")
            XCTAssertEqual(b.quarterFen, 17_000_000)
            XCTAssertEqual(b.byChannel.map(\.amountFen).reduce(0, +), b.yearFen)
            XCTAssertEqual(b.byPurpose.first { $0.key == "unionWelfare" }?.amountFen, 2_000_000)
            XCTAssertEqual(b.householdsReached, 2)
            XCTAssertEqual(b.targets.first?.parts.count, 8, "6000万 with its deep-poverty and channel parts, and 其他渠道")
            let newest = try await Purchase.query(on: app.db).max(\.$id)
            XCTAssertEqual(published.dataVersion, newest)

            _ = try await bought(office, f.hospital, Body(purchasedOn: "2026-09-20", seller: "赵五", amount: "1万"))
            let again = try await app.sendRequest(.GET, "/api/v1/bulletins/\(published.id)").content.decode(Bulletin.self)
            XCTAssertEqual(again, b, "a published bulletin is a frozen snapshot")

            let page = try await app.sendRequest(.GET, "/bulletins/\(published.id)")
            XCTAssertEqual(page.status, .ok, "the public sees published bulletins")
            XCTAssertTrue(page.body.string.contains(b.title))
            try await assertEqual(try await app.sendRequest(.GET, "/bulletins/\(published.id)/print").status, .ok)
            let xlsx = try await app.sendRequest(.GET, "/bulletins/\(published.id)/export")
            XCTAssertEqual(try XLSX.read(Data(buffer: xlsx.body))[0].first, b.title)
        }
    }

    func testTheCalendarShowsWhoIsLateAndRemindsThem() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office"), clerk = try await apiClient(app, "clerk")
            struct Status: Decodable { struct L: Decodable { let reporter: String; let status: String }; let due: String; let lines: [L]; let overdue: Int }
            let before = try await office.get("/api/v1/calendar?period=2026-10").content.decode(Status.self)
            XCTAssertEqual(before.due, "2026-10-25")
            XCTAssertEqual(Set(before.lines.map(\.reporter)), ["township:\(Fixtures.longjiao)", "system:\(f.education)"])
            XCTAssertEqual(before.overdue, 2)
            try await assertEqual(try await clerk.post("/api/v1/submissions", ["period": "2026-10"]).status, .created)
            try await assertEqual(try await clerk.post("/api/v1/submissions", ["period": "2026-10"]).status, .conflict)
            let after = try await office.get("/api/v1/calendar?period=2026-10").content.decode(Status.self)
            XCTAssertEqual(after.lines.first { $0.reporter.hasPrefix("township") }?.status, "late")
            let quarter = try await office.get("/api/v1/calendar?period=2026-Q4").content.decode(Status.self)
            XCTAssertEqual(quarter.due, "2026-12-30")
            XCTAssertEqual(quarter.overdue, 0)

            struct Period: Encodable { let period: String }
            let reminded = try await office.post("/api/v1/reminders?period=2026-10", Period(period: "2026-10")).content.decode([Status.L].self)
            XCTAssertEqual(reminded.map(\.reporter), ["system:\(f.education)"])
            try await assertEqual(try await Notice.query(on: app.db).all().map(\.reporter), ["system:\(f.education)"])
            try await assertEqual(try await apiClient(app, "buyer").post("/api/v1/reminders", Period(period: "2026-10")).status, .forbidden)

            // The county sets its own due day: the 20th; 巫溪 keeps the seeds' 25th.
            struct Days: Codable, Equatable { let monthlyDueDay: Int; let quarterlyDueDay: Int }
            try await assertEqual(try await office.put("/api/v1/calendar/settings", Days(monthlyDueDay: 40, quarterlyDueDay: 30)).status, .unprocessableEntity)
            try await assertEqual(try await office.put("/api/v1/calendar/settings", Days(monthlyDueDay: 20, quarterlyDueDay: 30)).status, .ok)
            try await assertEqual(try await office.get("/api/v1/calendar?period=2026-11").content.decode(Status.self).due, "2026-11-20")
            try await assertEqual(try await apiClient(app, "office.wuxi").get("/api/v1/calendar/settings").content.decode(Days.self),
                                  Days(monthlyDueDay: 25, quarterlyDueDay: 30))
        }
    }

    func testDeclarationsImportFromASheetAllOrNothing() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office"), lead = try await apiClient(app, "lead")
            struct D: Decodable { let kind: String; let value: Int64 }
            struct Report: Decodable { struct E: Decodable { let row: Int; let column: String }; let errors: [E] }
            let good = try await office.upload("/api/v1/declarations/import", try sheet("declarations.xlsx"), name: "申报.xlsx")
            XCTAssertEqual(good.status, .ok, good.body.string)
            XCTAssertEqual(try good.content.decode([D].self).map(\.value), [100_000_000, 30_000_000, 85])
            let bad = try await office.upload("/api/v1/declarations/import", try sheet("declarations-bad.xlsx"), name: "申报.xlsx")
            XCTAssertEqual(bad.status, .unprocessableEntity)
            let errors = try bad.content.decode(Report.self).errors
            XCTAssertEqual(errors.map(\.row), [2, 3])
            XCTAssertEqual(errors.map(\.column), ["数额", "采购单位"])
            try await assertEqual(try await DeclarationRecord.query(on: app.db).all().map(\.value).sorted(), [85, 30_000_000, 100_000_000],
                                  "a rejected sheet changes nothing")
            let other = try await lead.upload("/api/v1/declarations/import", try sheet("declarations.xlsx"), name: "申报.xlsx")
            XCTAssertEqual(try other.content.decode(Report.self).errors.map(\.row), [2], "a lead unit declares only for its own system")
        }
    }
}
