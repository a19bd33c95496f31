import BangfuKit
import NIOConcurrencyHelpers
import Vapor

/// Imports that run after the upload has been answered, with progress a page can poll.
/// Held in memory: a restart forgets the job, and the transaction it ran in leaves all rows or none.
/// Locks, not actors: a poll must answer at once however busy the import keeps the cooperative threads.
final class ImportJobs: Sendable {
    final class Job: Sendable {
        let id: String, owner: Int?
        private let state = NIOLockedValueBox((state: "running", report: LedgerImportReport(), message: String?.none))
        init(id: String, owner: Int?) { self.id = id; self.owner = owner }
        func update(_ r: LedgerImportReport) { state.withLockedValue { $0.report = r } }
        func finish(_ r: LedgerImportReport, state s: String, message: String? = nil) { state.withLockedValue { $0 = (s, r, message) } }
        var status: Status {
            state.withLockedValue { v in
                Status(id: id, state: v.state, read: v.report.read, created: v.report.created, skipped: v.report.skipped,
                       linked: v.report.linked, errors: v.report.errors, moreErrors: v.report.moreErrors, message: v.message)
            }
        }
    }

    struct Status: Content {
        let id: String, state: String, read: Int, created: Int, skipped: Int, linked: Int
        let errors: [RowError], moreErrors: Int, message: String?
    }

    private let jobs = NIOLockedValueBox([String: Job]())

    func start(owner: Int?, _ work: @escaping @Sendable (Job) async throws -> LedgerImportReport) -> Job {
        let job = Job(id: UUID().uuidString.lowercased(), owner: owner)
        jobs.withLockedValue { $0[job.id] = job }
        Task.detached {
            do { job.finish(try await work(job), state: "done") }
            catch let e as ImportRejected { job.finish(LedgerImportReport(errors: e.errors), state: "rejected") }
            catch { job.finish(LedgerImportReport(), state: "failed", message: String(describing: error)) }
        }
        return job
    }

    /// A job is shown only to the user who started it.
    func job(_ id: String, owner: Int?) -> Job? {
        jobs.withLockedValue { $0[id] }.flatMap { $0.owner == owner ? $0 : nil }
    }
}

struct ImportJobsKey: StorageKey { typealias Value = ImportJobs }

extension Application {
    /// Set once by `configure`.
    var importJobs: ImportJobs { storage[ImportJobsKey.self]! }
}
