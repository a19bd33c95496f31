import Fluent
import Prometheus
import SQLKit
import Vapor

/// `/metrics` in Prometheus text: the requests this process answered, and — read at the scrape — the job queue's
/// depth and age and this server's database connections. For the operators' network: the proxy does not pass it.
enum MetricsController {
    @Sendable static func scrape(req: Request) async throws -> Response {
        try await jobFigures(req.db)
        try await connectionFigures(req)
        let running = Double(req.application.jobs.running)
        Metrics.gauge("bangfu_jobs_running_here", "Jobs this server is running now", running)
        let response = Response(status: .ok, body: .init(string: Metrics.registry.emitToString()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain",
                                                     parameters: ["version": "0.0.4", "charset": "utf-8"])
        return response
    }

    private struct StateCount: Decodable { let state: String; let n: Int; let oldest: Int64? }

    private static func jobFigures(_ db: any Database) async throws {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT state, COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs
            WHERE state IN ('queued', 'running') GROUP BY state
            """).all(decoding: StateCount.self)
        let now = JobClock.now()
        for state in ["queued", "running"] {
            let row = rows.first { $0.state == state }
            Metrics.gauge("bangfu_jobs", "Jobs in the table by state, all servers", labels: [("state", state)],
                          Double(row?.n ?? 0))
            Metrics.gauge("bangfu_jobs_oldest_seconds", "Age of the oldest job in the state, all servers",
                          labels: [("state", state)], Double(row?.oldest.map { now - $0 } ?? 0) / 1_000)
        }
    }

    private struct Connections: Decodable { let state: String?; let n: Int }

    /// PostgreSQL: this server's connections by state (its pools name them after the instance); SQLite keeps one
    /// connection per event loop.
    private static func connectionFigures(_ req: Request) async throws {
        let help = "This server's database connections by state"
        guard req.db.isPostgres else {
            let loops = Array(req.application.eventLoopGroup.makeIterator()).count
            Metrics.gauge("bangfu_db_connections", help, labels: [("state", "open")], Double(loops))
            return
        }
        let rows = try await (req.db as! any SQLDatabase).raw("""
            SELECT state, COUNT(*) AS n FROM pg_stat_activity
            WHERE application_name = \(bind: req.application.config.instance) GROUP BY state
            """).all(decoding: Connections.self)
        for state in ["active", "idle", "idle in transaction"] {
            let n = rows.first { $0.state == state }?.n ?? 0
            Metrics.gauge("bangfu_db_connections", help, labels: [("state", state)], Double(n))
        }
        Metrics.gauge("bangfu_db_pool_max", "Connections this server may open to the primary",
                      Double(Array(req.application.eventLoopGroup.makeIterator()).count * DatabasePools.perLoop))
    }
}

enum DatabasePools {
    /// PostgreSQL connections per event loop: readers go on beside a long import's write transaction.
    static let perLoop = 4
}
