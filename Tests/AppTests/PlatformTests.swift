@testable import App
import BangfuKit
import Fluent
import XCTVapor

final class PlatformTests: XCTestCase {
    func testHealthReportsTheDatabase() async throws {
        try await withApp { app, _ in
            let res = try await app.sendRequest(.GET, "/healthz")
            XCTAssertEqual(res.status, .ok)
            XCTAssertTrue(res.body.string.contains("\"database\":\"ok\""))
        }
    }

    func testProductionWithoutConfigurationRefusesToStart() throws {
        XCTAssertThrowsError(try AppConfig.load(.production, variables: [:])) {
            XCTAssertTrue("\($0)".contains("DATABASE_URL"))
        }
        XCTAssertThrowsError(try AppConfig.load(.production, variables: ["DATABASE_URL": "postgres://u:p@h/db"])) {
            XCTAssertTrue("\($0)".contains("BANGFU_DATA_KEY"))
        }
        XCTAssertThrowsError(try AppConfig.load(.production, variables: ["DATABASE_URL": "postgres://u:p@h/db", "BANGFU_DATA_KEY": "short"]))
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let ok = try AppConfig.load(.production, variables: ["DATABASE_URL": "postgres://u:p@h/db", "BANGFU_DATA_KEY": key])
        XCTAssertFalse(ok.seedDemo)
        XCTAssertFalse(ok.autoMigrate)
        XCTAssertEqual(ok.publicCacheSeconds, 5)
        let none = try AppConfig.load(.production, variables: [
            "DATABASE_URL": "postgres://u:p@h/db", "BANGFU_DATA_KEY": key, "BANGFU_PUBLIC_CACHE_SECONDS": "0"])
        XCTAssertEqual(none.publicCacheSeconds, 0)
        XCTAssertThrowsError(try AppConfig.load(.production, variables: ["DATABASE_URL": "postgres://u:p@h/db",
            "BANGFU_DATA_KEY": key, "BANGFU_PUBLIC_CACHE_SECONDS": "-1"])) {
            XCTAssertTrue("\($0)".contains("BANGFU_PUBLIC_CACHE_SECONDS"))
        }
    }

    /// Outside production the data key is made once and kept: the same key on the next start, and a refusal to start
    /// (not a fresh key each run, which would leave sealed data unreadable) where it cannot be kept.
    func testTheLocalDataKeyIsKeptOrTheAppRefusesToStart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try AppConfig.localKey(in: dir), again = try AppConfig.localKey(in: dir)
        XCTAssertEqual(first.withUnsafeBytes { Data($0) }, again.withUnsafeBytes { Data($0) })
        XCTAssertThrowsError(try AppConfig.localKey(in: dir + "/missing")) { XCTAssertTrue("\($0)".contains("data key")) }
    }

    func testOpenAPIDocumentNamesEveryAPIRoute() async throws {
        try await withApp { app, _ in
            let res = try await app.sendRequest(.GET, "/openapi.json")
            XCTAssertEqual(res.status, .ok)
            struct Doc: Decodable { let openapi: String; let paths: [String: [String: AnyDecodable]] }
            let doc = try JSONDecoder().decode(Doc.self, from: Data(buffer: res.body))
            let documented = Set(doc.paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
            let served = Set(app.routes.all.filter { $0.path.first?.description == "api" }.map { route in
                "\(route.method.rawValue) /" + route.path.map { if case .parameter(let n) = $0 { "{\(n)}" } else { $0.description } }.joined(separator: "/")
            })
            XCTAssertEqual(documented, served)
        }
    }

    func testRegionImportIsAllOrNothing() async throws {
        try await withApp { app, _ in
            let before = try await Region.query(on: app.db).count()
            let bad = "code,name\n500235106000,新镇\n500235107000,\n"
            do {
                _ = try await RegionStore.importCSV(bad, on: app.db, by: .command("test"))
                XCTFail("a bad row rejects the file")
            } catch let e as ImportRejected {
                XCTAssertEqual(e.errors.map(\.row), [3])
            }
            try await assertEqual(try await Region.query(on: app.db).count(), before)
            let good = "code,name\n500235106000,新镇\n500235105000,龙角镇（改）\n"
            let s = try await RegionStore.importCSV(good, on: app.db, by: .command("test"))
            XCTAssertEqual(s, .init(created: 1, updated: 1))
            try await assertEqual(try await Region.find("500235106000", on: app.db)?.parentCode, Fixtures.yunyang)
            try await assertEqual(try await RegionStore.importCSV(good, on: app.db, by: .command("test")), .init(created: 0, updated: 2))
        }
    }

    func testNationalRegionFileLoads() async throws {
        try await withApp { app, _ in
            let s = try await RegionStore.importCSV(try RegionStore.nationalFile(app.directory), on: app.db, by: .command("test"))
            XCTAssertGreaterThan(s.created, 3000)
            let yunyang = try await Region.find(Fixtures.yunyang, on: app.db)
            XCTAssertEqual(yunyang?.name, "云阳县")
            XCTAssertEqual(yunyang?.parentCode, "500200000000")
            struct Listing: Decodable { let children: [Child]; struct Child: Decodable { let code: String } }
            var b = try await Browser.signIn(app, "buyer")
            let page = try await b.get("/regions?parent=500200000000")
            XCTAssertTrue(page.body.string.contains("云阳县"))
        }
    }
}

/// Skips any JSON value; the test only reads the keys around it.
struct AnyDecodable: Decodable {
    init(from decoder: Decoder) throws {}
}
