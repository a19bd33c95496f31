import Vapor

/// Work that follows an import in the background, one run at a time: asked for during a run, it runs once more
/// after it. Not while testing, where the application stops right after the request (tests run the work itself).
actor BackgroundJob {
    private let name: String
    private let work: @Sendable (Application) async throws -> Void
    private var running = false
    private var again = false

    init(_ name: String, _ work: @escaping @Sendable (Application) async throws -> Void) {
        self.name = name
        self.work = work
    }

    func schedule(_ app: Application) {
        guard !running else { again = true; return }
        running = true
        Task { await self.loop(app) }
    }

    private func loop(_ app: Application) async {
        repeat {
            again = false
            do { try await work(app) } catch {
                app.logger.error("\(name) failed: \(String(describing: error))")
            }
        } while again
        running = false
    }
}

extension Application {
    struct BackgroundJobs: StorageKey { typealias Value = [String: BackgroundJob] }

    /// Registers the jobs at start-up.
    func register(_ job: BackgroundJob, as name: String) {
        var jobs = storage[BackgroundJobs.self] ?? [:]
        jobs[name] = job
        storage[BackgroundJobs.self] = jobs
    }

    func schedule(_ name: String) {
        guard environment != .testing, let job = storage[BackgroundJobs.self]?[name] else { return }
        Task { await job.schedule(self) }
    }

    /// Open needs are matched again once a catalogue import has changed what sells.
    func rematchAfterImport() { schedule("needs rematch") }

    /// The ledger's flags follow an import.
    func scanFlagsAfterImport() { schedule("flag scan") }
}
