import Vapor

/// Every server's share of the job table: at start (SQLite: jobs a killed process left running go back to the
/// queue), then every few seconds — fail what ran out of leases, take over what can be, run what waits, and
/// forget what was kept long enough. A job queued on this server starts at once (`JobQueue.kick`). Tests run no
/// rounds (they run the queue themselves) but still wait, at shutdown, for a job under way.
final class JobRunner: LifecycleHandler, @unchecked Sendable {
    private var task: Task<Void, Never>?

    func didBootAsync(_ app: Application) async throws {
        guard app.environment != .testing else { return }
        let queue = app.jobs
        if !app.db.isPostgres { try await queue.expire(on: app.db, atStart: true) }
        let every = Duration.milliseconds(max(queue.lease / 2, 500))
        task = Task {
            while !Task.isCancelled {
                do {
                    if app.db.isPostgres { try await queue.expire(on: app.db) }
                    try await queue.sweep(on: app)
                    queue.kick(app)
                } catch {
                    app.logger.warning("job round failed: \(String(describing: error))")
                }
                try? await Task.sleep(for: every)
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
        await task?.value
        if app.jobs.running > 0 { app.logger.notice("waiting for \(app.jobs.running) job(s) under way") }
        await app.jobs.settle()
    }
}

struct JobQueueKey: StorageKey { typealias Value = JobQueue }

extension Application {
    /// Set once by `configure`.
    var jobs: JobQueue { storage[JobQueueKey.self]! }
}
