import Vapor

/// Work a server repeats while it runs: once at boot, then every `every`, until shutdown.
class PeriodicWork: LifecycleHandler, @unchecked Sendable {
    private let every: Duration
    private var task: Task<Void, Never>?

    init(every: Duration) { self.every = every }

    /// One round; a failed round is logged by the subclass and the next comes on time.
    func round(_ app: Application) async {}

    func didBootAsync(_ app: Application) async throws {
        task = Task {
            while !Task.isCancelled {
                await round(app)
                try? await Task.sleep(for: every)
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
        await task?.value
    }
}
