@testable import App
import Fluent
import SQLKit
import XCTVapor

/// Writes: validated with a field-named error, scoped, all-or-nothing, and audited.
final class WriteTests: XCTestCase {
    struct HouseholdBody: Encodable {
        var regionCode = Fixtures.village, status = "liftedOut", name = "赵六", idNumber = "11010519491231002X"
        var phone: String? = "13912345678", members: Int? = 5
    }

    func testBadInputNamesTheFieldAndWritesNothing() async throws {
        try await withApp { app, _ in
            let office = try await apiClient(app, "office")
            let before = try await App.Household.query(on: app.db).count()
            let audits = try await AuditEntry.query(on: app.db).count()
            var body = HouseholdBody(); body.idNumber = "110105194912310021"
            let res = try await office.post("/api/v1/households", body)
            XCTAssertEqual(res.status, .unprocessableEntity)
            let e = try res.error().error
            XCTAssertEqual(e.field, "idNumber"); XCTAssertEqual(e.code, "invalid"); XCTAssertTrue(e.message.contains("身份证号"))
            try await assertEqual(try await App.Household.query(on: app.db).count(), before)
            try await assertEqual(try await AuditEntry.query(on: app.db).count(), audits)

            var outside = HouseholdBody(); outside.regionCode = Fixtures.wuxiTown
            let scoped = try await office.post("/api/v1/households", outside)
            XCTAssertEqual(try scoped.error().error.code, "out_of_scope")
            var unknown = HouseholdBody(); unknown.regionCode = "500235999000"
            try await assertEqual(try await office.post("/api/v1/households", unknown).error().error.code, "unknown_region")
        }
    }

    func testACreateIsAuditedWithoutPersonalDataInClear() async throws {
        try await withApp { app, _ in
            let office = try await apiClient(app, "office")
            let res = try await office.post("/api/v1/households", HouseholdBody())
            XCTAssertEqual(res.status, .created)
            let entry = try await AuditEntry.query(on: app.db).filter(\.$entity == "household").first()
            let line = try XCTUnwrap(entry)
            XCTAssertEqual(line.action, "create")
            XCTAssertEqual(line.regionCode, Fixtures.village)
            XCTAssertEqual(line.actorName, "office(office)")
            let after = try XCTUnwrap(line.after)
            XCTAssertTrue(after.contains("赵某某"))
            XCTAssertFalse(after.contains("赵六")); XCTAssertFalse(after.contains("11010519491231002X"))

            let again = try await office.post("/api/v1/households", HouseholdBody())
            XCTAssertEqual(again.status, .conflict)
            XCTAssertEqual(try again.error().error.field, "idNumber")
        }
    }

    func testTheTrailIsAppendOnlyInTheDatabase() async throws {
        try await withApp { app, _ in
            let sql = app.db as! any SQLDatabase
            let count = try await AuditEntry.query(on: app.db).count()
            XCTAssertGreaterThan(count, 0)
            do {
                try await sql.raw("UPDATE audit_entries SET actor_name = 'x'").run()
                XCTFail("UPDATE must be refused")
            } catch {}
            do {
                try await sql.raw("DELETE FROM audit_entries").run()
                XCTFail("DELETE must be refused")
            } catch {}
            try await assertEqual(try await AuditEntry.query(on: app.db).count(), count)
            try await assertEqual(try await AuditEntry.query(on: app.db).filter(\.$actorName == "x").count(), 0)
        }
    }

    func testFormsReRenderWithTheMessageBesideTheField() async throws {
        try await withApp { app, _ in
            var b = try await Browser.signIn(app, "clerk")
            let res = try await b.post("/households", ["regionCode": Fixtures.village, "status": "liftedOut",
                                                       "name": "赵六", "idNumber": "123", "members": "3"])
            XCTAssertEqual(res.status, .unprocessableEntity)
            XCTAssertTrue(res.body.string.contains("id=\"error-idNumber\">身份证号格式不正确"))
            XCTAssertTrue(res.body.string.contains("value=\"赵六\""), "typed values are kept")
            let ok = try await b.post("/households", ["regionCode": Fixtures.village, "status": "liftedOut",
                                                      "name": "赵六", "idNumber": "11010519491231002X", "members": "3"])
            XCTAssertEqual(ok.status, .seeOther)
            try await assertTrue(try await b.get("/households").body.string.contains("赵某某"))
        }
    }

    func testOfficeBrowsesOnlyItsRegionsTrail() async throws {
        try await withApp { app, _ in
            var wuxi = HouseholdBody(); wuxi.regionCode = Fixtures.wuxiTown; wuxi.idNumber = "500238198001010011"
            try await assertEqual(try await apiClient(app, "office.wuxi").post("/api/v1/households", wuxi).status, .created)
            try await assertEqual(try await apiClient(app, "office").post("/api/v1/households", HouseholdBody()).status, .created)
            struct Line: Decodable { let entity: String; let regionCode: String? }
            let lines = try await apiClient(app, "office").get("/api/v1/audit?entity=household").content.decode([Line].self)
            XCTAssertFalse(lines.isEmpty)
            XCTAssertTrue(lines.allSatisfy { $0.regionCode?.hasPrefix("500235") == true })
        }
    }

    func testLeadUnitAddsUnitsOnlyToItsSystem() async throws {
        try await withApp { app, f in
            struct Body: Encodable { let name: String; let kind: String; let regionCode: String; let systemId: Int?; let creditCode: String? }
            let lead = try await apiClient(app, "lead")
            let ok = try await lead.post("/api/v1/buyers", Body(name: "云阳县第二中学", kind: "school", regionCode: Fixtures.yunyang, systemId: nil, creditCode: "12500235MB1234567X"))
            XCTAssertEqual(ok.status, .unprocessableEntity, "a made-up credit code fails its check")
            XCTAssertEqual(try ok.error().error.field, "creditCode")
            let created = try await lead.post("/api/v1/buyers", Body(name: "云阳县第二中学", kind: "school", regionCode: Fixtures.yunyang, systemId: nil, creditCode: nil))
            XCTAssertEqual(created.status, .created)
            let other = try await lead.post("/api/v1/buyers", Body(name: "别系统", kind: "school", regionCode: Fixtures.yunyang, systemId: f.education + 1, creditCode: nil))
            XCTAssertEqual(try other.error().error.code, "out_of_scope")
        }
    }
}
