@testable import App
import Fluent
import XCTVapor

/// What each role gets back is filtered to its own data: never another county's, unit's or supplier's.
final class ScopeTests: XCTestCase {
    struct Named: Decodable { let id: Int; let name: String }
    struct Household: Decodable { let id: Int; let name: String; let idNumber: String; let identityVisible: Bool }

    func testOfficeSeesItsSubtreeOnly() async throws {
        try await withApp { app, f in
            let office = try await apiClient(app, "office")
            let buyers = try await office.get("/api/v1/buyers").content.decode([Named].self).map(\.id)
            XCTAssertEqual(Set(buyers), [f.hospital, f.school])
            let suppliers = try await office.get("/api/v1/suppliers").content.decode([Named].self).map(\.id)
            XCTAssertEqual(suppliers, [f.coop])
            let households = try await office.get("/api/v1/households").content.decode([Household].self).map(\.id)
            XCTAssertEqual(households, [f.household])
            try await assertEqual(try await office.get("/api/v1/households/\(f.wuxiHousehold)").status, .notFound)

            let wuxi = try await apiClient(app, "office.wuxi")
            try await assertEqual(try await wuxi.get("/api/v1/buyers").content.decode([Named].self).map(\.id), [f.wuxiUnit])
        }
    }

    func testUnitsSystemsAndSuppliersSeeTheirOwn() async throws {
        try await withApp { app, f in
            let buyer = try await apiClient(app, "buyer")
            try await assertEqual(try await buyer.get("/api/v1/buyers").content.decode([Named].self).map(\.id), [f.hospital])
            let lead = try await apiClient(app, "lead")
            try await assertEqual(try await lead.get("/api/v1/buyers").content.decode([Named].self).map(\.id), [f.school])
            let supplier = try await apiClient(app, "supplier")
            try await assertEqual(try await supplier.get("/api/v1/suppliers").content.decode([Named].self).map(\.id), [f.coop])
            let clerk = try await apiClient(app, "clerk")
            try await assertEqual(try await clerk.get("/api/v1/households").content.decode([Household].self).map(\.id), [f.household])
        }
    }

    func testIdentitiesAreOpenOnlyToThoseWhoWorkWithTheHousehold() async throws {
        try await withApp { app, f in
            let office = try await apiClient(app, "office")
            let full = try await office.get("/api/v1/households/\(f.household)").content.decode(Household.self)
            XCTAssertEqual(full.name, f.householdName)
            XCTAssertEqual(full.idNumber, f.householdID)
            XCTAssertTrue(full.identityVisible)

            let admin = try await apiClient(app, "admin")
            let masked = try await admin.get("/api/v1/households/\(f.household)").content.decode(Household.self)
            XCTAssertEqual(masked.name, "张某某")
            XCTAssertEqual(masked.idNumber, "5002****001X")
            XCTAssertFalse(masked.identityVisible)
            let list = try await office.get("/api/v1/households").body.string
            XCTAssertFalse(list.contains(f.householdName), "lists are always masked")
            XCTAssertFalse(list.contains(f.householdID))

            let reads = try await AuditEntry.query(on: app.db).filter(\.$action == "read_identity").count()
            XCTAssertEqual(reads, 1, "the office's reading is logged; the admin's masked view is not a reading")
        }
    }

    func testPersonalDataIsSealedAtRest() async throws {
        try await withApp { app, f in
            let h = try await App.Household.find(f.household, on: app.db)!
            XCTAssertFalse(h.nameSealed.contains(f.householdName))
            XCTAssertFalse(h.idSealed.contains(f.householdID))
            XCTAssertEqual(try app.fieldCipher.open(h.idSealed), f.householdID)
        }
    }
}
