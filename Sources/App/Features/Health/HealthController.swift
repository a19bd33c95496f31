import SQLKit
import Vapor

/// For load balancers: `/healthz` (ready) is 200 when the database answers, 503 when it does not; `/livez` (alive)
/// is 200 while the process serves, whatever the database — a supervisor restarts on the one, a balancer drains on
/// the other.
enum HealthController {
    @Sendable static func alive(req: Request) -> String { "ok" }

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
