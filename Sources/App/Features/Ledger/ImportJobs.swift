import BangfuKit
import Vapor

/// Imports that run after the upload has been answered, with progress a page can poll.
/// Held in memory: a restart forgets the job, and the transaction it ran in leaves all rows or none.
actor ImportJobs {
    final actor Job {
        let id: String, owner: Int?
        private(set) var state = "running", report = LedgerImportReport(), message: String? = nil
        init(id: String, owner: Int?) { self.id = id; self.owner = owner }
        func update(_ r: LedgerImportReport) { report = r }
        func finish(_ r: LedgerImportReport, state: String, message: String? = nil) { report = r; self.state = state; self.message = message }
        var status: Status { Status(id: id, state: state, read: report.read, created: report.created, skipped: report.skipped,
                                    linked: report.linked, errors: report.errors, moreErrors: report.moreErrors, message: message) }
    }

    struct Status: Content {
        let id: String, state: String, read: Int, created: Int, skipped: Int, linked: Int
        let errors: [RowError], moreErrors: Int, message: String?
    }

    private var jobs: [String: Job] = [:]

    func start(owner: Int?, _ work: @escaping @Sendable (Job) async throws -> LedgerImportReport) -> Job {
        let job = Job(id: UUID().uuidString.lowercased(), owner: owner)
        jobs[job.id] = job
        Task {
            do { await job.finish(try await work(job), state: "done") }
            catch let e as ImportRejected { await job.finish(LedgerImportReport(errors: e.errors), state: "rejected") }
            catch { await job.finish(LedgerImportReport(), state: "failed", message: String(describing: error)) }
        }
        return job
    }

    /// A job is shown only to the user who started it.
    func job(_ id: String, owner: Int?) async -> Job? {
        guard let j = jobs[id], j.owner == owner else { return nil }
        return j
    }
}

struct ImportJobsKey: StorageKey { typealias Value = ImportJobs }

extension Application {
    /// Set once by `configure`.
    var importJobs: ImportJobs { storage[ImportJobsKey.self]! }
}
