import Vapor

/// Every HTML form carries a token in `_csrf` that must equal the one in the `bangfu_csrf` cookie (a double-submit
/// token): another site can make a browser send the cookie but cannot read it to put it in the form. Keeping the
/// token out of the session means a visitor's login or complaint form needs no session row.
/// The JSON API uses bearer tokens, which a browser never sends by itself, so it needs none.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    static let cookie = "bangfu_csrf"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if req.method != .GET && req.method != .HEAD && !req.url.path.hasPrefix("/api/") {
            try await check(req)
        }
        let response = try await next.respond(to: req)
        if let issued = req.storage[IssuedToken.self] {
            response.cookies[Self.cookie] = HTTPCookies.Value(
                string: issued, path: "/", isSecure: req.application.config.secureCookies, isHTTPOnly: true,
                    sameSite: .strict)
        }
        return response
    }

    private func check(_ req: Request) async throws {
        // Middleware runs before the route collects a streamed body (large uploads), so collect it here.
        if req.body.data == nil { _ = try await req.body.collect(max: BodyLimits.collected).get() }
        let sent = try? req.content.decode(Token.self)._csrf
        guard let expected = req.cookies[Self.cookie]?.string, let sent, Self.constantTimeEqual(sent, expected) else {
            throw APIError(status: .forbidden, code: "csrf", message: "页面已过期，请刷新后重试")
        }
    }

    /// Decoded as a whole body so that multipart uploads (with a file part) are read too.
    struct Token: Decodable { let _csrf: String }

    struct IssuedToken: StorageKey { typealias Value = String }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The form token: the one the browser holds, or a new one set as a cookie on this response.
    var csrfToken: String {
        if let held = cookies[CSRFMiddleware.cookie]?.string, held.count == 32 { return held }
        if let issued = storage[CSRFMiddleware.IssuedToken.self] { return issued }
        let token = [UInt8].random(count: 24).base64.replacingOccurrences(of: "/", with: "_")
        storage[CSRFMiddleware.IssuedToken.self] = token
        return token
    }
}
