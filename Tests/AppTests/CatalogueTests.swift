@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// 附件1 imports of real files, the catalogue's scopes and freshness, export.
final class CatalogueTests: XCTestCase {
    struct Report: Decodable { let created: Int; let updated: Int; let unchanged: Int; let errors: [Row] }
    struct Row: Decodable { let row: Int; let column: String; let code: String; let message: String }
    struct Offer: Decodable { let id: Int; let variety: String; let seller: String; let priceFen: Int64; let stale: Bool; let quantity: String }

    static let xlsxType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    func upload(_ api: APIClient, _ name: String) async throws -> (HTTPStatus, Report) {
        let type = name.hasSuffix(".csv") ? HTTPMediaType(type: "text", subType: "csv") : Self.xlsxType
        let res = try await api.send(.POST, "/api/v1/offers/import", data: try sheet(name), type: type)
        return (res.status, try res.content.decode(Report.self))
    }

    func testAnOpenpyxlFileImportsAndReimportingChangesNothing() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let clerk = try await apiClient(app, "clerk")
            let (status, report) = try await upload(clerk, "good.xlsx")
            XCTAssertEqual(status, .ok)
            XCTAssertEqual([report.created, report.updated, report.unchanged], [2, 0, 0])
            let offers = try await clerk.get("/api/v1/offers").content.decode([Offer].self)
            XCTAssertEqual(offers.map(\.variety).sorted(), ["云阳红橙", "土豆"])
            XCTAssertEqual(offers.first { $0.variety == "云阳红橙" }?.priceFen, 450)
            XCTAssertEqual(offers.first { $0.variety == "土豆" }?.seller, "王某某", "names are masked in lists")

            let audits = try await AuditEntry.query(on: app.db).count()
            let again = try await upload(clerk, "good.xlsx").1
            XCTAssertEqual([again.created, again.updated, again.unchanged], [0, 0, 2])
            try await assertEqual(try await AuditEntry.query(on: app.db).count(), audits, "a re-import writes nothing")
        }
    }

    /// Issue 13, item 1: a cooperative's line of 附件1 carries the households its note names; one without is a warning.
    func testACooperativesHouseholdsAreReadFromTheNoteOf附件1() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let res = try await apiClient(app, "clerk").send(.POST, "/api/v1/offers/import",
                                                             data: try sheet("coop.xlsx"), type: Self.xlsxType)
            XCTAssertEqual(res.status, .ok, res.body.string)
            struct Warned: Decodable {
                struct W: Decodable { let row: Int; let code: String }
                let created: Int
                let warnings: [W]
            }
            let report = try res.content.decode(Warned.self)
            XCTAssertEqual(report.created, 2)
            XCTAssertEqual(report.warnings.map(\.code), ["households_unsaid"])
            XCTAssertEqual(report.warnings.map(\.row), [5])
            let offers = try await App.Offer.query(on: app.db).sort(\.$variety).all()
            XCTAssertEqual(offers.map(\.variety), ["云阳红橙", "蜂蜜"])
            XCTAssertEqual(offers.map(\.linkedHouseholds), [12, nil])
            XCTAssertEqual(offers.first?.note, "合作社，带动贫困户12户", "the note is kept")
        }
    }

    func testGBKAndBOMCSVsReadAsTheSameRows() async throws {
        try await withApp { app, _ in
            let clerk = try await apiClient(app, "clerk")
            let gbk = try await upload(clerk, "good-gbk.csv")
            XCTAssertEqual(gbk.0, .ok)
            XCTAssertEqual(gbk.1.created, 2)
            try await assertEqual(try await upload(clerk, "good-bom.csv").1.unchanged, 2)
            try await assertEqual(try await upload(clerk, "good.xlsx").1.unchanged, 2)
        }
    }

    func testBrokenFilesAreRejectedRowByRowAndWriteNothing() async throws {
        try await withApp { app, _ in
            let clerk = try await apiClient(app, "clerk")
            let audits = try await AuditEntry.query(on: app.db).count()
            let expected: [(String, Int, String, String)] = [
                ("bad-price.xlsx", 4, "销售价格（元）", "invalid"),
                ("negative-quantity.xlsx", 5, "计划销量", "invalid"),
                ("unknown-region.xlsx", 5, "地区", "unknown_region"),
                ("duplicate-rows.xlsx", 6, "产品品种", "duplicate"),
                ("wrong-header.xlsx", 1, "表头", "bad_header"),
                ("not-a-sheet.xlsx", 1, "文件", "unreadable"),
            ]
            for (file, row, column, code) in expected {
                let (status, report) = try await upload(clerk, file)
                XCTAssertEqual(status, .unprocessableEntity, file)
                XCTAssertEqual(report.errors.first?.row, row, file)
                XCTAssertEqual(report.errors.first?.column, column, file)
                XCTAssertEqual(report.errors.first?.code, code, file)
            }
            try await assertEqual(try await App.Offer.query(on: app.db).count(), 0)
            try await assertEqual(try await AuditEntry.query(on: app.db).count(), audits)
        }
    }

    func testImportsStayInsideTheImportersRegion() async throws {
        try await withApp { app, _ in
            let (status, report) = try await upload(try await apiClient(app, "office.wuxi"), "good.xlsx")
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertEqual(Set(report.errors.map(\.code)), ["unknown_region"])
        }
    }

    func testStaleOffersAreMarked() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let clerk = try await apiClient(app, "clerk")
            _ = try await upload(clerk, "good.xlsx")
            app.setToday(LocalDate(year: 2026, month: 12, day: 1))
            try await assertEqual(try await clerk.get("/api/v1/offers").content.decode([Offer].self).map(\.stale), [false, false])
            app.setToday(LocalDate(year: 2026, month: 12, day: 2))
            try await assertEqual(try await clerk.get("/api/v1/offers").content.decode([Offer].self).map(\.stale), [true, true])
            try await assertEqual(try await clerk.get("/api/v1/offers?stale=1").content.decode([Offer].self).count, 2)
        }
    }

    func testExportIsAttachment1WithNamesOnlyForThoseWhoMayReadThem() async throws {
        try await withApp { app, _ in
            let clerk = try await apiClient(app, "clerk")
            _ = try await upload(clerk, "good.xlsx")
            let res = try await clerk.get("/api/v1/offers/export?format=xlsx&region=\(Fixtures.longjiao)")
            XCTAssertEqual(res.status, .ok)
            let rows = try XLSX.read(Data(buffer: res.body))
            XCTAssertEqual(rows[2], Attachment1.columns)
            XCTAssertEqual(rows[3][1], "云阳县龙角镇示例村")
            XCTAssertTrue(rows.contains { $0.contains("王小明") }, "the clerk works with these households")

            let csv = try await clerk.get("/api/v1/offers/export?format=csv")
            XCTAssertTrue(Data(buffer: csv.body).starts(with: [0xEF, 0xBB, 0xBF]), "a BOM, so Excel reads UTF-8")
            // The re-exported file imports again as the same rows.
            let back = try await clerk.send(.POST, "/api/v1/offers/import", data: Data(buffer: res.body), type: Self.xlsxType)
            XCTAssertEqual(try back.content.decode(Report.self).unchanged, 2)

            let admin = try await apiClient(app, "admin")
            let masked = try XLSX.read(Data(buffer: try await admin.get("/api/v1/offers/export").body))
            XCTAssertFalse(masked.contains { $0.contains("王小明") })
            XCTAssertTrue(masked.contains { $0.contains("王某某") })
        }
    }

    func testOfferFormValidatesEachField() async throws {
        try await withApp { app, f in
            struct Body: Encodable {
                var regionCode = Fixtures.village, sellerName = "龙角镇柑橘合作社", variety = "脐橙", quantity = "2吨"
                var price = "5元/斤", supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558"
                var supplierId: Int? = nil
            }
            let supplier = try await apiClient(app, "supplier")
            var bad = Body(); bad.price = "三元"
            let res = try await supplier.post("/api/v1/offers", bad)
            XCTAssertEqual(res.status, .unprocessableEntity)
            XCTAssertEqual(try res.error().error.field, "price")
            let ok = try await supplier.post("/api/v1/offers", Body())
            XCTAssertEqual(ok.status, .created)
            let created = try ok.content.decode(Offer.self)
            XCTAssertEqual(created.quantity, "2吨")
            var other = Body(); other.supplierId = f.coop + 1
            try await assertEqual(try await supplier.post("/api/v1/offers", other).error().error.code, "out_of_scope")
        }
    }

    /// Where an offer names its supplier, the supplier's kind, not the seller's name, says whether the contact line
    /// is a household's (sealed, shown masked).
    func testASuppliersKindDecidesWhetherTheContactLineIsSealed() async throws {
        try await withApp { app, f in
            let family = Supplier()
            family.name = "张大山"
            family.kind = SupplierKind.household.rawValue
            family.regionCode = Fixtures.longjiao
            try await family.create(on: app.db)
            struct Body: Encodable {
                var regionCode = Fixtures.village, sellerName = "张大山", variety = "脐橙", quantity = "2吨"
                var price = "5元/斤", supplyMethod = "delivery"
                var contactName = "张大山", contactPhone = "17723635558"
                var supplierId: Int
            }
            let office = try await apiClient(app, "office")
            for (supplier, variety) in [(family.id!, "脐橙"), (f.coop, "红橙")] {
                var body = Body(supplierId: supplier)
                body.variety = variety
                try await assertEqual(try await office.post("/api/v1/offers", body).status, .created)
            }
            let offers = try await App.Offer.query(on: app.db).filter(\.$sellerMasked == Mask.name("张大山")).all()
            XCTAssertEqual(offers.count, 2)
            let sealed = try XCTUnwrap(offers.first { $0.$supplier.id == family.id })
            XCTAssertNotNil(sealed.contactSealed)
            XCTAssertFalse(sealed.contactPhone.contains("17723635558"))
            let clear = try XCTUnwrap(offers.first { $0.$supplier.id == f.coop })
            XCTAssertNil(clear.contactSealed)
            XCTAssertEqual(clear.contactPhone, "17723635558")
        }
    }
}
