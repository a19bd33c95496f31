@testable import App
import Fluent
import NIOCore
import XCTVapor

final class AccountTests: XCTestCase {
    func testLoginShowsTheRoleDashboardAndLogoutEndsTheSession() async throws {
        try await withApp { app, _ in
            var b = try await Browser.signIn(app, "office")
            let home = try await b.get("/")
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.body.string.contains("云阳县（500235000000）"))
            XCTAssertTrue(home.body.string.contains("操作日志"), "offices see the audit menu")
            XCTAssertFalse(home.body.string.contains("用户管理"), "only administrators manage users")
            try await assertEqual(try await b.post("/logout", [:]).status, .seeOther)
            try await assertEqual(try await b.get("/").headers.first(name: .location), "/login")
        }
    }

    func testFailuresSlowTheFailingAddressDownWithoutLockingTheAccount() async throws {
        try await withApp { app, _ in
            var b = Browser(app: app)
            for _ in 1...5 {
                let res = try await b.post("/login", ["username": "buyer", "password": "wrong-password-1"])
                XCTAssertEqual(res.status, .unprocessableEntity)
                XCTAssertTrue(res.body.string.contains("用户名或密码错误"))
            }
            let throttled = try await b.post("/login", ["username": "buyer", "password": Fixtures.password])
            XCTAssertEqual(throttled.status, .tooManyRequests, "the sixth try from the same address waits")
            XCTAssertTrue(throttled.body.string.contains("秒后再试"))
            let trail = try await AuditEntry.query(on: app.db).filter(\.$entity == "user").all().map(\.action)
            XCTAssertEqual(trail.filter { $0 == "login.failed" }.count, 5)

            // The owner, from another address, is not locked out by a stranger's failures.
            let elsewhere = try await Self.login(app, "buyer", Fixtures.password, from: "10.9.8.7")
            XCTAssertEqual(elsewhere.status, .seeOther)
        }
    }

    func testAnUnknownAccountAnswersInTheSameWordsAndIsThrottledAlike() async throws {
        try await withApp { app, _ in
            var known = Browser(app: app), unknown = Browser(app: app)
            let a = try await known.post("/login", ["username": "buyer", "password": "wrong-password-1"])
            let b = try await unknown.post("/login", ["username": "nobody-here", "password": "wrong-password-1"])
            XCTAssertEqual(a.status, b.status)
            XCTAssertEqual(Self.message(a.body.string), Self.message(b.body.string))
            for _ in 1...5 { _ = try await unknown.post("/login", ["username": "nobody-here", "password": "x"]) }
            let again = try await unknown.post("/login", ["username": "nobody-here", "password": "x"])
            XCTAssertEqual(again.status, .tooManyRequests, "an unknown name waits like a real one")
        }
    }

    func testAStoredWaitIsNeverShorterThanTheBackoffOnASecondsClock() {
        XCTAssertEqual(LoginThrottle.blockedFor(failures: 4, free: 5), 0, "free failures wait for nothing")
        XCTAssertEqual(LoginThrottle.blockedFor(failures: 5, free: 5), 2, "one whole second from a failure at x.999")
        XCTAssertEqual(LoginThrottle.blockedFor(failures: 30, free: 5), LoginThrottle.maxWait + 1)
    }

    func testBackoffDoublesFromOneSecondToFifteenMinutes() {
        XCTAssertEqual(LoginThrottle.backoff(failures: 4, free: 5), 0)
        XCTAssertEqual(LoginThrottle.backoff(failures: 5, free: 5), 1)
        XCTAssertEqual(LoginThrottle.backoff(failures: 8, free: 5), 8)
        XCTAssertEqual(LoginThrottle.backoff(failures: 500, free: 5), 15 * 60)
        XCTAssertEqual(LoginThrottle.backoff(failures: Int.max, free: 5), 15 * 60)
    }

    static func login(_ app: Application, _ username: String, _ password: String,
        from address: String) async throws -> Response {
        var b = Browser(app: app)
        let token = try await b.token()
        let body = "username=\(username)&password=\(password)&_csrf=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: b.cookieHeader)
        headers.contentType = .urlEncodedForm
        let request = Request(application: app, method: .POST, url: URI(path: "/login"), headers: headers,
                              collectedBody: ByteBuffer(string: body),
                              remoteAddress: try SocketAddress(ipAddress: address, port: 4000),
                                  on: app.eventLoopGroup.next())
        return try await app.responder.respond(to: request).get()
    }

    /// The page's error line, whatever else differs (the form token).
    static func message(_ page: String) -> String {
        guard let r = page.range(of: "id=\"login-error\">") else { return "" }
        return String(page[r.upperBound...].prefix(60))
    }

    func testFormsWithoutTheTokenAreRefused() async throws {
        try await withApp { app, _ in
            var b = try await Browser.signIn(app, "office")
            let res = try await b.post("/households", ["regionCode": Fixtures.village], withToken: false)
            XCTAssertEqual(res.status, .forbidden)
            XCTAssertTrue(res.body.string.contains("页面已过期"))
            var bad = b
            let forged = try await bad.send(form: ["_csrf": "forged", "name": "x"], to: "/account/tokens")
            XCTAssertEqual(forged, 403)
        }
    }

    func testPasswordChangeChecksTheOldOneAndTheRule() async throws {
        try await withApp { app, _ in
            var b = try await Browser.signIn(app, "clerk")
            let weak = try await b.post("/account/password", ["current": Fixtures.password, "new": "short", "confirm": "short"])
            XCTAssertEqual(weak.status, .unprocessableEntity)
            XCTAssertTrue(weak.body.string.contains("密码至少10位"))
            let ok = try await b.post("/account/password", ["current": Fixtures.password, "new": "NewPassw0rd2026", "confirm": "NewPassw0rd2026"])
            XCTAssertEqual(ok.status, .ok)
            XCTAssertTrue(ok.body.string.contains("密码已修改"))
            _ = try await Browser.signIn(app, "clerk", password: "NewPassw0rd2026")
        }
    }

    func testAPITokensAuthenticateUntilRevoked() async throws {
        try await withApp { app, _ in
            var b = try await Browser.signIn(app, "office")
            let page = try await b.post("/account/tokens", ["name": "832平台同步"])
            let body = page.body.string
            let start = try XCTUnwrap(body.range(of: "id=\"new-token\">")).upperBound
            let token = String(body[start...].prefix { $0 != "<" })
            XCTAssertTrue(token.hasPrefix("bf_"))
            let stored = try await APIToken.query(on: app.db).first()!
            XCTAssertNotEqual(stored.tokenHash, token, "only the hash is stored")

            let api = APIClient(app: app, token: token)
            let me = try await api.get("/api/v1/me")
            XCTAssertEqual(me.status, .ok)
            XCTAssertEqual(try me.content.decode(MeJSON.self).username, "office")

            try await assertEqual(try await b.post("/account/tokens/\(stored.id!)/revoke", [:]).status, .seeOther)
            let after = try await api.get("/api/v1/me")
            XCTAssertEqual(after.status, .unauthorized)
            XCTAssertEqual(try after.error().error.code, "bad_token")
        }
    }

    struct MeJSON: Decodable { let username: String; let role: String }
}

extension Browser {
    /// Posts exactly these fields (no token fetched), for forged requests.
    mutating func send(form: [String: String], to path: String) async throws -> UInt {
        var headers = HTTPHeaders()
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookieHeader) }
        headers.contentType = .urlEncodedForm
        let body = form.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        return try await app.sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body)).status.code
    }
}
