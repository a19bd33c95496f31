import Vapor

/// Headers every response carries. The app serves all its own assets (no CDN, no inline script or style), so the
/// content policy allows only this origin, and no page may be framed. HSTS is sent only when the site is
/// configured as served over TLS: a browser that saw it on plain HTTP would lock itself out.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let strictTransport: Bool

    static let contentPolicy = [
        "default-src 'self'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("Content-Security-Policy", Self.contentPolicy),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if strictTransport {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security",
                value: "max-age=31536000; includeSubDomains")
        }
        // What a signed-in person sees (a new token, an opened identity, any scoped list) stays out of every cache.
        if request.currentUser != nil || request.headers.bearerAuthorization != nil {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
