@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Every route × every role (and anonymous): the policy's verdict is what the HTTP stack does.
/// A route registered without an action fails here before it reaches anyone.
final class AuthorizationMatrixTests: XCTestCase {
    func testEveryRouteAnswersEveryRoleAsThePolicySays() async throws {
        try await withApp { app, _ in
            // Token 1 is a spare: the matrix's POST /account/tokens/1/revoke may revoke it, not a matrix token.
            _ = try await apiClient(app, "admin")
            for username in Fixtures.usernames {
                let token = APIToken()
                token.$user.id = try await Fixtures.user(username, on: app.db).id!
                token.name = "matrix"; token.tokenHash = Authentication.tokenHash("matrix-\(username)")
                try await token.create(on: app.db)
            }
            var checked = 0
            for route in app.routes.all {
                let action = try XCTUnwrap(route.action, "\(route.method) \(route.path.string) has no policy action")
                let path = "/" + route.path.map { if case .parameter = $0 { "1" } else { $0.description } }.joined(separator: "/")
                let isAPI = path.hasPrefix("/api/")
                for username in [nil] + Fixtures.usernames.map(Optional.some) {
                    let actor = try await username.asyncMap { try await Fixtures.user($0, on: app.db).actor }
                    let allowed = AccessPolicy.allows(actor, action)
                    let status = try await send(app, route.method, path, as: username, api: isAPI)
                    let who = username ?? "anonymous"
                    if allowed {
                        XCTAssertFalse([401, 403, 500].contains(status), "\(who) \(route.method) \(path) → \(status), policy allows")
                    } else if username == nil {
                        XCTAssertEqual(status, isAPI ? 401 : 303, "anonymous \(route.method) \(path)")
                    } else {
                        XCTAssertEqual(status, 403, "\(who) \(route.method) \(path), policy denies")
                    }
                    checked += 1
                }
            }
            XCTAssertEqual(checked, app.routes.all.count * (Fixtures.usernames.count + 1))
        }
    }

    private func send(_ app: Application, _ method: HTTPMethod, _ path: String, as username: String?, api: Bool) async throws -> UInt {
        if api {
            var headers = HTTPHeaders()
            if let username { headers.bearerAuthorization = .init(token: "matrix-\(username)") }
            headers.contentType = .json
            let body = method == .GET ? nil : ByteBuffer(string: "{}")
            return try await app.sendRequest(method, path, headers: headers, body: body).status.code
        }
        var browser = username == nil ? Browser(app: app) : try await Browser.signIn(app, username!)
        return method == .GET ? try await browser.get(path).status.code : try await browser.post(path, [:]).status.code
    }

    func testARouteWithoutAnActionIsRefused() async throws {
        try await withApp { app, _ in
            app.grouped(PolicyMiddleware()).get("unguarded") { _ in "secret" }
            let res = try await app.sendRequest(.GET, "/unguarded")
            XCTAssertEqual(res.status, .internalServerError)
            XCTAssertFalse(res.body.string.contains("secret"))
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
