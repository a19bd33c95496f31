import Fluent
import SQLKit
import Vapor

/// For load balancers and supervisors: `/livez` (alive) is 200 while the process serves, whatever the database — a
/// supervisor restarts on it; `/readyz` (ready) is 200 when the primary answers and every migration this build
/// knows has run and, on SQLite, the read of the database into the page cache at start (`PageCacheWarmer`) has
/// finished — a balancer sends traffic on it, and drains a server whose database is gone or not yet migrated.
/// A replica that does not answer is reported, not fatal: heavy reads then fail with 503 and a retry.
/// `/healthz` is the readiness answer under its older name.
enum HealthController {
    @Sendable static func alive(req: Request) -> String { "ok" }

    struct Status: Content {
        let status: String
        let database: String
        let migrations: String
        /// SQLite: "warming" while a starting server reads its database, then "warm".
        let pageCache: String?
        let replica: String?
        let instance: String
    }

    @Sendable static func check(req: Request) async throws -> Response {
        let database = await answers(req.db) ? "ok" : "unreachable"
        let migrations = database == "ok" ? await migrationState(req) : "unknown"
        var replica: String?
        if req.application.config.readReplicaURL != nil {
            replica = await answers(req.db(.replica)) ? "ok" : "unreachable"
        }
        let pageCache = req.application.pageCacheWarmer.map { $0.isWarm ? "warm" : "warming" }
        let serves = database == "ok" && migrations == "ok"
        if !serves { req.logger.error("not ready: database \(database), migrations \(migrations)") }
        let ready = serves && pageCache != "warming"
        let status = Status(status: ready ? "ok" : "unavailable", database: database, migrations: migrations,
                            pageCache: pageCache, replica: replica, instance: req.application.config.instance)
        return try await status.encodeResponse(status: ready ? .ok : .serviceUnavailable, for: req)
    }

    private static func answers(_ db: any Database) async -> Bool {
        do {
            try await (db as! any SQLDatabase).raw("SELECT 1").run()
            return true
        } catch {
            return false
        }
    }

    private struct Count: Decodable { let n: Int }

    /// "ok" when the newest migration this build registers has run ("pending" otherwise).
    private static func migrationState(_ req: Request) async -> String {
        let sql: SQLQueryString = "SELECT COUNT(*) AS n FROM _fluent_migrations WHERE name = \(bind: newestMigration)"
        let ran = try? await (req.db as! any SQLDatabase).raw(sql).first(decoding: Count.self)?.n
        return ran == 1 ? "ok" : "pending"
    }
}
