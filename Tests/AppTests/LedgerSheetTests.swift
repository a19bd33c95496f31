@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// 附件2 and 附件3 as offices fill them (written by openpyxl), the same purchase from both counted once,
/// broken files writing nothing, and the forms written back.
final class LedgerSheetTests: XCTestCase {
    struct Report: Decodable {
        struct E: Decodable { let row: Int; let column: String; let code: String }
        let created: Int; let linked: Int; let errors: [E]
    }
    struct Totals: Decodable { struct Line: Decodable { let key: String; let amountFen: Int64; let rows: Int }; let counted: [Line]; let pending: Line }

    func post(_ api: APIClient, _ file: String, form: Int, channel: String = "fiveInto") async throws -> (HTTPStatus, Report) {
        let res = try await api.upload("/api/v1/purchases/sheets?form=\(form)&channel=\(channel)&purpose=canteen", try sheet(file), name: file)
        return (res.status, try res.content.decode(Report.self))
    }

    func testTownshipAndLeadUnitReportsImportAndTheSamePurchaseIsLinkedNotSummed() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office"), lead = try await apiClient(app, "lead")
            let (s2, r2) = try await post(office, "att2.xlsx", form: 2)
            XCTAssertEqual(s2, .ok, "\(r2.errors)")
            XCTAssertEqual([r2.created, r2.linked], [2, 0])
            let (s3, r3) = try await post(lead, "att3.xlsx", form: 3)
            XCTAssertEqual(s3, .ok, "\(r3.errors)")
            XCTAssertEqual([r3.created, r3.linked], [2, 1], "the oranges are in both reports: linked, not summed")

            let rows = try await Purchase.query(on: app.db).sort(\.$id).all()
            XCTAssertEqual(rows.map(\.source), ["townshipReport", "townshipReport", "leadUnitReport", "leadUnitReport"])
            XCTAssertEqual(rows[2].duplicateOf, rows[1].id)
            XCTAssertEqual(rows[2].purpose, "canteen", "用于学校食堂")
            XCTAssertEqual(rows[3].purpose, "unionWelfare", "备注 工会福利")
            XCTAssertEqual(rows[0].purpose, "canteen", "no 备注: the importer's purpose")
            XCTAssertEqual(rows[3].$buyerUnit.id, f.school)

            for p in rows where p.duplicateOf == nil {
                try await assertEqual(
                    try await office.post("/api/v1/purchases/\(p.id!)/verify", VerifyBody()).status, .ok)
            }
            let totals = try await office.get("/api/v1/purchases/totals").content.decode(Totals.self)
            XCTAssertEqual(totals.counted.map(\.amountFen), [9_000 + 45_000 + 15_000], "the linked row counts once")
            XCTAssertEqual(totals.counted.map(\.rows), [3])
        }
    }

    func testAGBKCSVOfAttachment3ReadsLikeTheWorkbook() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let (status, report) = try await post(try await apiClient(app, "lead"), "att3-gbk.csv", form: 3)
            XCTAssertEqual(status, .ok, "\(report.errors)")
            XCTAssertEqual(report.created, 2)
            try await assertEqual(try await Purchase.query(on: app.db).sort(\.$id).all().map(\.amountFen), [45_000, 15_000])
        }
    }

    func testABrokenReportIsRejectedRowByRowAndWritesNothing() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let (status, report) = try await post(try await apiClient(app, "office"), "att2-bad.xlsx", form: 2)
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertEqual(report.errors.map(\.row), [5, 5])
            XCTAssertEqual(report.errors.map(\.column), ["销售时间", "销售金额"])
            try await assertEqual(try await Purchase.query(on: app.db).count(), 0)
            try await assertEqual(try await PurchaseRollup.query(on: app.db).count(), 0)
            let unknownChannel = try await apiClient(app, "office").upload("/api/v1/purchases/sheets?form=2&channel=nope", try sheet("att2.xlsx"), name: "a.xlsx")
            XCTAssertEqual(unknownChannel.status, .unprocessableEntity)
            XCTAssertEqual(try unknownChannel.error().error.field, "channel")
            try await assertEqual(try await Purchase.query(on: app.db).count(), 0, "an unknown channel refuses the file")
        }
    }

    func testExportsAreTheSeedsFormsAndReadBackAsTheSameRows() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            _ = try await post(office, "att2.xlsx", form: 2)
            let xlsx = try await office.get("/api/v1/purchases/sheets?form=2&township=\(Fixtures.longjiao)&from=2026-11-01&to=2026-11-30")
            XCTAssertEqual(xlsx.status, .ok)
            let cells = try XLSX.read(Data(buffer: xlsx.body))
            XCTAssertEqual(cells[0].first, SalesReport.Form.township.title)
            let parsed = try SalesReport.parse(cells, form: .township, today: LocalDate(year: 2026, month: 11, day: 23)) { _ in RegionCode(Fixtures.village) }
            XCTAssertEqual(parsed.rows.map(\.amount), [Fen(9_000), Fen(45_000)])
            XCTAssertTrue(cells.contains { $0.contains("90元") }, "amounts as the seed writes them, not ¥90.00")
            XCTAssertFalse(cells.joined().joined().contains("¥"))
            XCTAssertEqual(parsed.rows.map(\.seller), ["王某某", "张某某"], "names leave masked")
            let csv = try await office.get("/api/v1/purchases/sheets?form=3&system=\(f.education)&format=csv")
            XCTAssertTrue(String(decoding: Data(buffer: csv.body), as: UTF8.self).contains("云阳县实验中学,2026.11.3"))
            let wuxi = try await apiClient(app, "office.wuxi").get("/api/v1/purchases/sheets?form=2&format=csv")
            XCTAssertFalse(String(decoding: Data(buffer: wuxi.body), as: UTF8.self).contains("云阳"), "another county's office exports none of it")
        }
    }

    func testAnExportLeavesOutCancelledAndRejectedRowsAndKeepsTheCorrection() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer")
            let office = try await apiClient(app, "office")
            typealias Body = PeriodTests.Body
            let wrong = try await buyer.post("/api/v1/purchases", Body(purchasedOn: "2026-11-02", amount: "90元"))
                .content.decode(PeriodTests.P.self)
            let refused = try await buyer.post("/api/v1/purchases", Body(purchasedOn: "2026-11-03", amount: "77元"))
                .content.decode(PeriodTests.P.self)
            let kept = try await buyer.post("/api/v1/purchases", Body(purchasedOn: "2026-11-04", amount: "55元"))
            XCTAssertEqual(kept.status, .created)
            var fix = Body(purchasedOn: "2026-11-02", amount: "120元")
            fix.reason = "金额填错"
            try await assertEqual(try await buyer.post("/api/v1/purchases/\(wrong.id)/correct", fix).status, .created)
            let reject = VerifyBody(approve: false, reason: "查无此单")
            try await assertEqual(try await office.post("/api/v1/purchases/\(refused.id)/verify", reject).status, .ok)

            let csv = try await office.get("/api/v1/purchases/sheets?form=3&format=csv&from=2026-11-01&to=2026-11-30")
            let text = String(decoding: Data(buffer: csv.body), as: UTF8.self)
            XCTAssertTrue(text.contains("120元") && text.contains("55元"), text)
            XCTAssertFalse(text.contains("90元"), "the reversed row and its reversal are left out")
            XCTAssertFalse(text.contains("77元"), "a rejected row is left out")
            let none = try await office.get("/api/v1/purchases/sheets?form=3&format=csv&from=2026-12-01")
            XCTAssertFalse(String(decoding: Data(buffer: none.body), as: UTF8.self).contains("55元"), "dates bound it")
        }
    }

    /// Issue 13, item 1: "合作社，带动贫困户12户" counts 12 households; a cooperative without a number is a warning.
    func testACooperativesHouseholdsAreReadFromTheNote() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            let res = try await office.upload("/api/v1/purchases/sheets?form=2&channel=fiveInto&purpose=canteen",
                                              try sheet("att2-coop.xlsx"), name: "att2-coop.xlsx")
            XCTAssertEqual(res.status, .ok)
            struct Warned: Decodable { struct W: Decodable { let row: Int; let code: String }; let created: Int; let warnings: [W] }
            let report = try res.content.decode(Warned.self)
            XCTAssertEqual(report.created, 2)
            XCTAssertEqual(report.warnings.map(\.code), ["households_unsaid"])
            let rows = try await Purchase.query(on: app.db).sort(\.$purchasedOn).all()
            XCTAssertEqual(rows.map(\.householdsTouched), [12, nil])
        }
    }
}
