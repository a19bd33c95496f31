import Vapor

/// Logs method, path and status — never the query string or body, where personal data may travel.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        request.logger.info("\(request.method) \(request.url.path) \(response.status.code)")
        return response
    }
}
