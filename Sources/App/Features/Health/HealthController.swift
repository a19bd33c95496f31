import SQLKit
import Vapor

/// For load balancers: 200 when the database answers, 503 when it does not.
enum HealthController {
    struct Status: Content { let status: String; let database: String }

    @Sendable static func check(req: Request) async throws -> Response {
        do {
            try await (req.db as! any SQLDatabase).raw("SELECT 1").run()
            return try await Status(status: "ok", database: "ok").encodeResponse(for: req)
        } catch {
            req.logger.error("health check: database unreachable")
            return try await Status(status: "unavailable", database: "unreachable").encodeResponse(status: .serviceUnavailable, for: req)
        }
    }
}
