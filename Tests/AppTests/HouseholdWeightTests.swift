@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 15: a cooperative declares the weights its households share its sales by; an office links households;
/// the attribution follows the weights to the 分 and is exported for the 年终考核.
final class HouseholdWeightTests: XCTestCase {
    struct Entry: Encodable { let householdId: Int; let weight: Int }
    struct Declaration: Encodable { let households: [Entry] }

    func testTheCooperativesWeightsShareItsSalesAndTheYearIsExported() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let neighbour = try Household.sealed(region: RegionCode(Fixtures.village)!, status: .liftedOut,
                                                 name: "王秀英",
                                                 id: ResidentID("500235196503120028")!, phone: "13800000002",
                                                 members: 2, cipher: app.fieldCipher)
            try await neighbour.create(on: app.db)
            let clerk = try await apiClient(app, "clerk"), supplier = try await apiClient(app, "supplier")
            let path = "/api/v1/suppliers/\(f.coop)/households"
            let both = Declaration(households: [Entry(householdId: f.household, weight: 1),
                                                Entry(householdId: neighbour.id!, weight: 1)])
            try await assertEqual(try await supplier.put(path, both).status, .forbidden,
                                  "a cooperative does not link households itself")
            let linked = try await clerk.put(path, both)
            XCTAssertEqual(linked.status, .ok, linked.body.string)
            let zero = try await supplier.put(path, Declaration(households: [Entry(householdId: f.household, weight: 0),
                Entry(householdId: neighbour.id!, weight: 1)]))
            XCTAssertEqual(zero.status, .unprocessableEntity)
            XCTAssertEqual(try zero.error().error.field, "households[0].weight")
            let far = try await clerk.put(path, Declaration(households: [Entry(householdId: f.wuxiHousehold,
                                                                               weight: 1)]))
            XCTAssertNotEqual(far.status, .ok, "a household of another county is not linked")
            let declared = try await supplier.put(path, Declaration(households: [
                Entry(householdId: f.household, weight: 3), Entry(householdId: neighbour.id!, weight: 1)]))
            XCTAssertEqual(declared.status, .ok, declared.body.string)
            try await assertEqual(try declared.content.decode([SupplierHouseholds.Linked].self).map(\.weight), [3, 1])

            let office = try await apiClient(app, "office")
            struct Row: Encodable {
                let buyerUnitId: Int; var purchasedOn = "2026-11-10"; var originRegionCode = Fixtures.village
                let supplierId: Int; var seller = "龙角镇柑橘合作社"; var variety = "红橙"; var quantity = "20斤"
                var amount = "100.01"; var purpose = "canteen"; var channel = "fiveInto"
            }
            struct Id: Decodable { let id: Int }
            struct Verify: Encodable { let approve = true; let reason = "有发票" }
            let id = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.hospital, supplierId: f.coop))
                .content.decode(Id.self).id
            try await assertEqual(try await office.post("/api/v1/purchases/\(id)/verify", Verify()).status, .ok)
            let report = try await office.get("/api/v1/benefits/households?year=2026")
                .content.decode(HouseholdAttribution.Report.self)
            XCTAssertEqual(report.households.map(\.amountFen), [7_501, 2_500],
                           "3 to 1 of 100.01元, the odd 分 to the largest remainder")
            let sheet = try await office.get("/api/v1/benefits/households/export?year=2026")
            XCTAssertEqual(sheet.status, .ok)
            let cells = try XLSX.read(Data(buffer: sheet.body))
            XCTAssertEqual(cells.first?.first, "2026年消费帮扶利益联结到户")
            let line = ["云阳县龙角镇示例村", Mask.name(f.householdName), "75.01"]
            XCTAssertTrue(cells.contains { $0 == line }, "\(cells)")
            XCTAssertFalse(cells.flatMap { $0 }.contains(f.householdName), "names masked in the export")
            try await assertEqual(try await office.get("/api/v1/benefits/households/export?year=abc").status,
                                  .unprocessableEntity)
            var page = try await Browser.signIn(app, "supplier")
            let html = try await page.get("/suppliers/\(f.coop)/households").body.string
            XCTAssertTrue(html.contains("name=\"weight-\(f.household)\" value=\"3\""), html)
        }
    }
}
