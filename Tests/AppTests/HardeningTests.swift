@testable import App
import BangfuKit
import Fluent
import SQLKit
import XCTVapor

/// Issue 12: requests an attacker or a busy county sends. Each test failed on the code before the fix.
final class HardeningTests: XCTestCase {
    static func multipart(_ headerName: [UInt8], boundary: String = "b0undary") -> Data {
        var body = Data("--\(boundary)\r\n".utf8) + Data(headerName) + Data(": x\r\n".utf8)
        body += Data("Content-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--\(boundary)--\r\n".utf8)
        return body
    }

    func post(_ app: Application, _ path: String, _ body: Data, type: String) async throws -> XCTHTTPResponse {
        try await app.sendRequest(.POST, path, headers: ["Content-Type": type], body: ByteBuffer(data: body))
    }

    func testAMultipartHeaderWithANonASCIINameIsA400AndTheServerLivesOn() async throws {
        try await withApp { app, _ in
            for path in ["/login", "/complaints/new", "/api/v1/complaints"] {
                let res = try await post(app, path, Self.multipart([0xE4, 0xB8, 0xAD]),
                    type: "multipart/form-data; boundary=b0undary")
                XCTAssertEqual(res.status, .badRequest, path)
            }
            for boundary in ["", "\"\""] {
                let res = try await post(app, "/login", Self.multipart(Array("X-A".utf8)),
                    type: "multipart/form-data; boundary=\(boundary)")
                XCTAssertEqual(res.status, .badRequest, "empty boundary \(boundary)")
            }
            try await assertEqual(try await app.sendRequest(.GET, "/catalogue").status, .ok)
        }
    }

    func testDeeplyNestedJSONIsRefusedNotARecursionToTheStacksEnd() async throws {
        try await withApp { app, _ in
            let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
            let res = try await post(app, "/api/v1/complaints", Data(deep.utf8), type: "application/json")
            XCTAssertTrue([400, 422].contains(res.status.code), "\(res.status)")
            try await assertEqual(try await app.sendRequest(.GET, "/healthz").status, .ok)
        }
    }

    func testABrokenMultipartUploadIsA400AndAnUnknownSupplierA422() async throws {
        try await withApp { app, f in
            let office = try await apiClient(app, "office")
            for body in ["--b1--\r\n", "--b1\r\n-0.99999--b1--\r\n"] {
                let res = try await office.send(.POST, "/api/v1/offers/import", data: Data(body.utf8),
                                                type: HTTPMediaType(type: "multipart", subType: "form-data",
                                                    parameters: ["boundary": "b1"]))
                XCTAssertEqual(res.status, .badRequest, body.debugDescription)
                XCTAssertEqual(try res.error().error.code, "bad_multipart")
            }
            struct Row: Encodable {
                let buyerUnitId: Int, purchasedOn = "2026-11-01", originRegionCode = Fixtures.village, seller = "张某某"
                let variety = "土豆", quantity = "800斤", amount = "90元", purpose = "canteen", supplierId = 999_999
            }
            let res = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.hospital))
            XCTAssertEqual(res.status, .unprocessableEntity)
            XCTAssertEqual(try res.error().error.field, "supplierId")
        }
    }

    func testChineseFileNamesInPartValuesStillUpload() async throws {
        let body = Data("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"橙.png\"\r\n\r\nx\r\n--b--\r\n".utf8)
        XCTAssertNoThrow(try MultipartCheck.check(body, boundary: "b"))
        XCTAssertThrowsError(try MultipartCheck.check(Self.multipart([0x80]), boundary: "b0undary"))
        let control = Data("--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\na\u{0}b\r\n--b--\r\n".utf8)
        XCTAssertThrowsError(try MultipartCheck.check(control, boundary: "b"))
    }

    func testControlCharactersAreRefusedWithTheFieldOnEveryKindOfInput() async throws {
        try await withApp { app, _ in
            let search = try await app.sendRequest(.GET, "/api/v1/catalogue?q=%00")
            XCTAssertEqual(search.status, .unprocessableEntity)
            XCTAssertEqual(try search.error().error.field, "q")
            let page = try await app.sendRequest(.GET, "/catalogue?q=%E2%80%AEgnp")
            XCTAssertEqual(page.status, .unprocessableEntity)
            let json = try await post(app, "/api/v1/complaints", Data(#"{"subject":"a\u0000b"}"#.utf8),
                type: "application/json")
            XCTAssertEqual(json.status, .unprocessableEntity)
            XCTAssertEqual(try json.error().error.code, "control_character")
            XCTAssertEqual(try json.error().error.field, "subject")
            var b = Browser(app: app)
            let login = try await b.post("/login", ["username": "ad\u{0}min", "password": "x"])
            XCTAssertEqual(login.status, .unprocessableEntity)
            XCTAssertTrue(login.body.string.contains("控制字符"))
            try await assertEqual(try await app.sendRequest(.GET, "/api/v1/catalogue?q=%E6%A9%99").status, .ok)
        }
    }

    func testAnonymousPageViewsStoreNoSessionAndLoginStoresOne() async throws {
        try await withApp { app, _ in
            let sql = app.db as! any SQLDatabase
            func sessions() async throws -> Int {
                try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all),
                    as: "n").from(SessionStore.table)
                    .first()!.decode(column: "n", as: Int.self)
            }
            for path in ["/catalogue", "/publicity", "/bulletins", "/login", "/complaints/new"] {
                let res = try await app.sendRequest(.GET, path, headers: ["Cookie": "bangfu_session=forged-or-old"])
                XCTAssertEqual(res.status, .ok, path)
            }
            try await assertEqual(try await sessions(), 0, "no page view stored a session")
            try await sql.insert(into: SessionStore.table).columns("id", "data", "user_id", "expires_at")
                .values(SQLBind("old"), SQLBind("{}"), SQLBind(1), SQLBind(SessionStore.now - 1)).run()
            var b = try await Browser.signIn(app, "office")
            try await assertEqual(try await sessions(), 1, "the login's session, and the expired one removed")
            let before = try await sql.select().column("expires_at").from(SessionStore.table).first()!
                .decode(column: "expires_at", as: Int64.self)
            for _ in 1...3 { try await assertEqual(try await b.get("/").status, .ok) }
            let after = try await sql.select().column("expires_at").from(SessionStore.table).first()!
                .decode(column: "expires_at", as: Int64.self)
            XCTAssertEqual(before, after, "a page view writes nothing")
        }
    }

    func testAPasswordChangeEndsTheAccountsOtherSessionsAndLogoutIsAudited() async throws {
        try await withApp { app, _ in
            var here = try await Browser.signIn(app, "office")
            var there = try await Browser.signIn(app, "office")
            let change = try await here.post("/account/password", ["current": Fixtures.password,
                "new": "NewPassword2026", "confirm": "NewPassword2026"])
            XCTAssertEqual(change.status, .ok)
            try await assertEqual(try await here.get("/").status, .ok, "the session that changed it stays")
            try await assertEqual(try await there.get("/").status, .seeOther, "the other one is signed out")
            _ = try await here.post("/logout", [:])
            try await assertEqual(try await here.get("/").status, .seeOther)
            let actions = try await AuditEntry.query(on: app.db).all().map(\.action)
            XCTAssertTrue(actions.contains("logout"))
        }
    }

    func testEveryResponseCarriesTheSecurityHeadersAndSignedInPagesAreNotCached() async throws {
        try await withApp { app, _ in
            let page = try await app.sendRequest(.GET, "/catalogue")
            XCTAssertEqual(page.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'"),
                true)
            XCTAssertEqual(page.headers.first(name: "X-Frame-Options"), "DENY")
            XCTAssertEqual(page.headers.first(name: "X-Content-Type-Options"), "nosniff")
            XCTAssertEqual(page.headers.first(name: "Referrer-Policy"), "same-origin")
            XCTAssertNil(page.headers.first(name: "Strict-Transport-Security"), "no HSTS on plain HTTP")
            XCTAssertNil(page.headers.setCookie, "a public page sets no cookie")
            var b = try await Browser.signIn(app, "office")
            let tokens = try await b.get("/account/tokens")
            XCTAssertEqual(tokens.headers.first(name: .cacheControl), "no-store")
            let missing = try await app.sendRequest(.GET, "/no-such-page")
            XCTAssertNotNil(missing.headers.first(name: "Content-Security-Policy"), "error pages too")
        }
    }

    func testAHouseholdsOwnContactIsSealedAndNeverPublic() async throws {
        try await withApp { app, f in
            struct NewSupplier: Encodable {
                let kind = "household", regionCode = Fixtures.village, contactName = "赵秘密", contactPhone = "13912345678"
                let householdId: Int
            }
            struct Created: Decodable { let id: Int }
            let office = try await apiClient(app, "office")
            let supplier = try await office.post("/api/v1/suppliers",
                NewSupplier(householdId: f.household)).content.decode(Created.self)
            struct NewOffer: Encodable {
                let regionCode = Fixtures.village, sellerName = "张大山", variety = "土鸡蛋", quantity = "300枚"
                let price = "2元/枚", supplyMethod = "delivery", contactName = "赵秘密", contactPhone = "13912345678"
                let note = "电话13912345678"
                let supplierId: Int
            }
            let offer = try await office.post("/api/v1/offers",
                NewOffer(supplierId: supplier.id)).content.decode(Created.self)
            let stored = try await XCTUnwrapAsync(try await App.Offer.find(offer.id, on: app.db))
            XCTAssertEqual([stored.contactName, stored.contactPhone], ["赵某某", "139****5678"], "only masks in clear")
            XCTAssertNotNil(stored.contactSealed)
            let s = try await XCTUnwrapAsync(try await Supplier.find(supplier.id, on: app.db))
            XCTAssertEqual(s.contactPhone, "139****5678")

            try await Fixtures.certify(offer.id, on: app)
            let page = try await app.sendRequest(.GET, "/catalogue/\(offer.id)")
            XCTAssertEqual(page.status, .ok)
            XCTAssertFalse(page.body.string.contains("13912345678"))
            XCTAssertFalse(page.body.string.contains("赵秘密"))
            let api = try await app.sendRequest(.GET, "/api/v1/catalogue")
            XCTAssertFalse(api.body.string.contains("13912345678"))

            var editor = try await Browser.signIn(app, "office")
            let form = try await editor.get("/offers/\(offer.id)/edit").body.string
            XCTAssertTrue(form.contains("13912345678"), "the office editing it reads the line")
        }
    }

    func testAPersonRegisteredInAnotherCountyIsNotRevealedToTheOffice() async throws {
        try await withApp { app, f in
            struct New: Encodable {
                let regionCode = Fixtures.village, status = "liftedOut", name = "李秀兰", phone = "13800000000"
                let idNumber: String
            }
            let office = try await apiClient(app, "office")
            let elsewhere = try await office.post("/api/v1/households", New(idNumber: "440524188001010014"))
            XCTAssertEqual(elsewhere.status, .created, "answered as any new household: 巫溪's is not told")
            let again = try await office.post("/api/v1/households", New(idNumber: f.householdID))
            XCTAssertEqual(again.status, .conflict, "a second registration in the same county is refused")
            let trail = try await office.get("/api/v1/audit").body.string
            XCTAssertFalse(trail.contains("registered_in_several_counties"), "the county office does not see the match")
            let above = try await AuditEntry.query(on: app.db).filter(\.$action == "household.registered_in_several_counties").all()
            XCTAssertEqual(above.compactMap(\.regionCode), ["500200000000"], "the office above both counties does")
        }
    }

    /// Issue 13, item 11: a refused or missing page keeps the signed-in layout and menu.
    func testErrorPagesKeepTheMenu() async throws {
        try await withApp { app, _ in
            var buyer = try await Browser.signIn(app, "buyer")
            for path in ["/users", "/no-such-page", "/purchases/999999"] {
                let page = try await buyer.get(path)
                XCTAssertTrue([403, 404].contains(page.status.code), path)
                XCTAssertTrue(page.body.string.contains("id=\"menu\""), "\(path) keeps the menu")
                XCTAssertTrue(page.body.string.contains("id=\"error-message\""))
            }
        }
    }

    func testAnExportOfAnotherCountysUnitIsNotFoundAndDoesNotNameIt() async throws {
        try await withApp { app, f in
            var b = try await Browser.signIn(app, "office")
            let res = try await b.get("/purchases/export?form=3&unit=\(f.wuxiUnit)&format=csv")
            XCTAssertEqual(res.status, .notFound)
            let name = try await BuyerUnit.find(f.wuxiUnit, on: app.db)!.name
            XCTAssertFalse(res.body.string.contains(name))
        }
    }

    /// SQLite's deferred transaction that reads, then writes after another connection committed, failed at once
    /// with "database is locked"; the write claim makes it wait its turn instead.
    func testAWriteTransactionWaitsForAnotherWriterInsteadOfFailing() async throws {
        try await withApp { app, f in
            let loops = Array(app.eventLoopGroup.makeIterator())
            let first = app.databases.database(logger: app.logger, on: loops[0])!
            let second = app.databases.database(logger: app.logger, on: loops[loops.count > 1 ? 1 : 0])!
            let unit = f.hospital
            async let long: Void = first.writeTransaction { db in
                _ = try await BuyerUnit.find(unit, on: db)
                try await Task.sleep(for: .milliseconds(300))
                try await (db as! any SQLDatabase).update(BuyerUnit.schema).set("name",
                    to: SQLBind("甲")).where("id", .equal, SQLBind(unit)).run()
            }
            try await Task.sleep(for: .milliseconds(100))
            try await (second as! any SQLDatabase).update(BuyerUnit.schema).set("name", to: SQLBind("乙"))
                .where("id", .equal, SQLBind(unit)).run()
            try await long
            // Both writes went through: on SQLite the second waited for the first, on PostgreSQL it did not need to.
            let name = try await BuyerUnit.find(unit, on: app.db)!.name
            XCTAssertTrue(["甲", "乙"].contains(name), name)
        }
    }

    func testProductionRefusesAFixedTodayAndCommandsOtherThanServeTouchNothing() throws {
        let env = ["DATABASE_URL": "postgres://x@localhost/db",
            "BANGFU_DATA_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                   "BANGFU_TODAY": "2026-11-02"]
        XCTAssertThrowsError(try AppConfig.load(.production, variables: env)) { error in
            XCTAssertTrue("\(error)".contains("BANGFU_TODAY"))
        }
        var config = AppConfig(database: .sqlite(path: "x"), dataKey: .init(size: .bits256), varDirectory: "var",
                               autoMigrate: true, seedDemo: true)
        for args in [["bangfu", "create-user", "--username", "a"], ["bangfu", "--help"], ["bangfu", "serve", "--help"],
                     ["bangfu", "import-regions", "f.csv"]] {
            var c = config
            c.limit(to: args)
            XCTAssertFalse(c.autoMigrate || c.seedDemo || c.opensDatabaseAtStart, args.joined(separator: " "))
        }
        config.limit(to: ["bangfu", "serve", "--hostname", "0.0.0.0"])
        XCTAssertTrue(config.autoMigrate && config.seedDemo && config.opensDatabaseAtStart)
    }

    func testUploadsLeftByAKilledImportAreRemovedAtStart() throws {
        let dir = NSTemporaryDirectory() + "bangfu-var-\(UUID().uuidString)"
        let folder = ImportFile.directory(dir)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder.appendingPathComponent("import-left").path,
            contents: Data("x".utf8))
        ImportFile.removeLeftovers(in: dir)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
    }
}

func XCTUnwrapAsync<T>(_ value: @autoclosure () async throws -> T?, file: StaticString = #filePath,
    line: UInt = #line) async throws -> T {
    let v = try await value()
    return try XCTUnwrap(v, file: file, line: line)
}
