import Vapor

/// Every HTML form carries the session's token in `_csrf`; a write without it is refused.
/// The JSON API uses bearer tokens, which a browser never sends by itself, so it needs none.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if req.method != .GET && req.method != .HEAD && !req.url.path.hasPrefix("/api/") {
            // Middleware runs before the route collects a streamed body (large uploads), so collect it here.
            if req.body.data == nil { _ = try await req.body.collect(max: 10 * 1024 * 1024).get() }
            let sent = try? req.content.decode(Token.self)._csrf
            guard let expected = req.hasSession ? req.session.data["csrf"] : nil, let sent,
                  Self.constantTimeEqual(sent, expected) else {
                throw APIError(status: .forbidden, code: "csrf", message: "页面已过期，请刷新后重试")
            }
        }
        return try await next.respond(to: req)
    }

    /// Decoded as a whole body so that multipart uploads (with a file part) are read too.
    struct Token: Decodable { let _csrf: String }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The session's CSRF token, made on first use.
    var csrfToken: String {
        if let t = session.data["csrf"] { return t }
        let t = [UInt8].random(count: 24).base64.replacingOccurrences(of: "/", with: "_")
        session.data["csrf"] = t
        return t
    }
}
