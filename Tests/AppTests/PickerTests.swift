@testable import App
import BangfuKit
import Fluent
import Foundation
import XCTVapor

/// Issue 13, item 8: no form asks a person to type a code or an internal id — places are picked by name,
/// units, systems, suppliers and households from lists; codes and ids stay in the API.
final class PickerTests: XCTestCase {
    func testAPlaceIsPickedByNameAndAnUnknownNameIsRefusedBesideTheField() async throws {
        try await withApp { app, _ in
            var clerk = try await Browser.signIn(app, "clerk")
            let form = try await clerk.get("/households/new").body.string
            XCTAssertTrue(form.contains("<option value=\"云阳县龙角镇示例村\">"), "the clerk's places, by name")
            let title = form.components(separatedBy: "</title>").first ?? ""
            XCTAssertFalse(title.contains("<datalist"), "the list is in the page, not in its title")
            XCTAssertTrue(form.contains("<datalist id=\"places\">"))
            XCTAssertFalse(form.contains("巫溪县"), "only places in the clerk's township")
            let unknown = try await clerk.post("/households", ["regionCode": "云阳县龙角镇无此村", "status": "liftedOut",
                                                               "name": "赵六", "idNumber": "11010519491231002X",
                                                               "members": "3"])
            XCTAssertEqual(unknown.status, .unprocessableEntity)
            XCTAssertTrue(unknown.body.string.contains("找不到地名“云阳县龙角镇无此村”，请从列表中选择"))
            XCTAssertTrue(unknown.body.string.contains("value=\"云阳县龙角镇无此村\""), "the typed name is kept")
            let ok = try await clerk.post("/households", ["regionCode": "云阳县龙角镇示例村", "status": "liftedOut",
                                                          "name": "赵六", "idNumber": "11010519491231002X",
                                                          "members": "3"])
            XCTAssertEqual(ok.status, .seeOther)
            try await assertEqual(try await Household.query(on: app.db).sort(\.$id, .descending).first()?.regionCode,
                                  Fixtures.village)
        }
    }

    func testUnitsAndSystemsArePickedFromListsOfNames() async throws {
        try await withApp { app, f in
            var office = try await Browser.signIn(app, "office")
            let purchase = try await office.get("/purchases/new").body.string
            XCTAssertTrue(purchase.contains("<option value=\"\(f.hospital)\">云阳县人民医院</option>"))
            XCTAssertFalse(purchase.contains("巫溪县人民医院"), "units in the office's region only")
            let buyer = try await office.get("/buyers/new").body.string
            XCTAssertTrue(buyer.contains("<option value=\"\(f.education)\">教育系统</option>"))
            let pairing = try await office.get("/pairings/new").body.string
            XCTAssertTrue(pairing.contains("list=\"places\"") && pairing.contains("云阳县人民医院"))
        }
    }

    /// Every form field that names a place or a record is a picker: no text box for a code or an id (a platform's
    /// order number is the platform's own, typed from its receipt).
    func testNoFormAsksForACodeOrAnId() throws {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Resources/Views")
        let files = FileManager.default.enumerator(at: views.standardized, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        XCTAssertGreaterThan(files.count, 30)
        let typed = try NSRegularExpression(
            pattern: #"<input type="text"[^>]*name="((?!orderId)\w*(Id|RegionCode|regionCode))"(?![^>]*list=)"#)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let hits = typed.matches(in: text, range: NSRange(text.startIndex..., in: text))
                .map { String(text[Range($0.range(at: 1), in: text)!]) }
            XCTAssertEqual(hits, [], "\(file.lastPathComponent) asks to type a code or an id")
        }
    }
}

/// Issue 13, item 8: an office keeps its lead systems and their units in the app.
final class LeadSystemTests: XCTestCase {
    func testAnOfficeCreatesASystemAndPutsAUnitInIt() async throws {
        try await withApp { app, f in
            var office = try await Browser.signIn(app, "office")
            let created = try await office.post("/systems", ["do": "create", "name": "卫生健康系统", "leadName": "县卫健委",
                                                             "regionCode": "云阳县"])
            XCTAssertEqual(created.status, .seeOther)
            let system = try await LeadSystem.query(on: app.db).filter(\.$name == "卫生健康系统").first()
            XCTAssertEqual(system?.regionCode, Fixtures.yunyang)
            let api0 = try await apiClient(app, "office")
            let bought = try await api0.post("/api/v1/purchases", PurchaseInputBody(buyerUnitId: f.hospital,
                amount: "90元"))
            struct Id: Decodable { let id: Int }
            let purchase = try bought.content.decode(Id.self).id
            let assigned = try await office.post("/systems", ["do": "assign", "unitId": String(f.hospital),
                                                              "systemId": String(system!.id!)])
            XCTAssertEqual(assigned.status, .seeOther)
            try await assertEqual(try await BuyerUnit.find(f.hospital, on: app.db)?.$system.id, system?.id)
            try await assertEqual(try await Purchase.find(purchase, on: app.db)?.buyerSystemID, system?.id,
                                  "its purchases follow it to the new system")
            let page = try await office.get("/systems").body.string
            XCTAssertTrue(page.contains("县卫健委") && page.contains("<span class=\"flag\">云阳县人民医院</span>"))
            let twice = try await office.post("/systems", ["do": "create", "name": "卫生健康系统", "leadName": "x",
                                                           "regionCode": "云阳县"])
            XCTAssertEqual(twice.status, .conflict)
            XCTAssertTrue(twice.body.string.contains("本区划已有“卫生健康系统”"))

            let wuxi = try await apiClient(app, "office.wuxi")
            struct Assign: Encodable { let systemId: Int? }
            try await assertEqual(
                try await wuxi.put("/api/v1/buyers/\(f.hospital)/system", Assign(systemId: nil)).status, .notFound)
            let api = try await apiClient(app, "office")
            try await assertEqual(
                try await api.put("/api/v1/buyers/\(f.hospital)/system", Assign(systemId: nil)).status, .ok)
            try await assertEqual(try await BuyerUnit.find(f.hospital, on: app.db)?.$system.id, nil)
            try await assertEqual(try await apiClient(app, "lead").get("/api/v1/systems")
                                      .content.decode([LeadSystemDTO].self).map(\.name),
                                  ["教育系统"], "a lead unit sees its own system")
        }
    }
}
