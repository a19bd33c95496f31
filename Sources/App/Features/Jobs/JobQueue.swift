import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The jobs of every app server, in one table. A server claims the oldest waiting job (PostgreSQL:
/// `FOR UPDATE SKIP LOCKED`, so two servers never claim the same row), renews its lease while it runs and stores
/// its progress there, so any server answers a progress poll. A lease that runs out — its server died — lets
/// another server take the job over once; the work runs in one transaction, so the dead run left nothing.
/// SQLite has one server: progress lives in its memory while a job runs (the job's write transaction holds the
/// database), and at start the jobs a killed process left running go back to the queue.
final class JobQueue: Sendable {
    /// `host:pid`: which server holds a lease.
    let instance: String
    let lease: Int64
    /// A job is run at most this often; a second lease that runs out fails it.
    static let maxAttempts = 2
    /// How long a finished job and the file it produced are kept.
    static let keepFinished: Int64 = 7 * 24 * 3_600_000

    let handlers: NIOLockedValueBox<[String: JobHandler]> = .init([:])
    let live: NIOLockedValueBox<[String: JobContext]> = .init([:])
    /// The run of waiting jobs going on here, if any (shutdown waits for it), and whether a job was queued
    /// since it last looked.
    private let draining = NIOLockedValueBox<(task: Task<Void, Never>?, again: Bool)>((nil, false))
    /// Set at shutdown: the job under way ends, no other is claimed.
    private let stopping = NIOLockedValueBox(false)

    init(instance: String, leaseSeconds: Int) {
        self.instance = instance
        lease = Int64(leaseSeconds) * 1_000
    }

    /// A job's parameters as stored: keys sorted, so the same request gives the same text on every server.
    static func json(_ params: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(params), as: UTF8.self)
    }

    func register(_ kind: String, _ handler: JobHandler) {
        handlers.withLockedValue { $0[kind] = handler }
    }

    /// Queues a job (audited with the row) and starts running jobs here.
    func enqueue(_ kind: String, params: some Encodable, input: String?, origin: Audit.Origin,
                 app: Application) async throws -> JobRecord {
        let job = JobRecord()
        job.id = UUID().uuidString.lowercased()
        job.kind = kind
        job.ownerID = origin.userID
        job.originName = origin.name
        job.originIP = origin.ip
        job.params = try Self.json(params)
        job.inputSHA = input
        job.state = .queued
        job.attempts = 0
        job.createdAt = JobClock.now()
        try await app.db.writeTransaction { db in
            try await job.create(on: db)
            try await Audit.record(origin, on: db, action: "enqueue", entity: "job", id: nil, region: nil,
                                   after: ["kind": kind, "job": job.id ?? ""])
        }
        kick(app)
        return job
    }

    /// Runs waiting jobs on this server until none is left; a second call while it runs does nothing.
    func kick(_ app: Application) {
        draining.withLockedValue { state in
            state.again = true
            guard state.task == nil else { return }
            state.task = Task { await drain(app) }
        }
    }

    private func drain(_ app: Application) async {
        repeat {
            do {
                while !stopping.withLockedValue({ $0 }), let job = try await claim(on: app.db) {
                    await run(job, app: app)
                }
            } catch {
                app.logger.error("job claim failed: \(String(describing: error))")
            }
        } while draining.withLockedValue { state in
            defer { state.again = false }
            if !state.again { state.task = nil }
            return state.again
        }
    }

    /// Waits for the jobs running here to end (at shutdown: a job is never cut off by its own server's exit).
    func settle() async {
        stopping.withLockedValue { $0 = true }
        await draining.withLockedValue { $0.task }?.value
    }

    /// The job as its owner may see it, with this server's live progress when it runs here.
    func find(_ id: String, owner: Int?, on db: any Database) async throws -> JobRecord? {
        guard let job = try await JobRecord.find(id, on: db), job.ownerID == owner else { return nil }
        if job.state == .running, let context = live.withLockedValue({ $0[id] }) { job.report = context.latest }
        return job
    }

    var running: Int { live.withLockedValue { $0.count } }
}

/// What a kind of job does with its row; registered at start-up by the feature that queues it.
struct JobHandler: Sendable {
    /// The job page's heading.
    var title = "任务"
    /// Where the job's page leads back to (a label and a path), from the job's row.
    var back: @Sendable (JobRecord) -> (label: String, path: String) = { _ in ("返回台账", "/purchases") }
    /// The run commits chunk by chunk (and a re-run completes it), rather than all at once.
    var inChunks = false
    let run: @Sendable (JobContext) async throws -> JobOutcome
}

/// How a job ended well: its report, a sentence for its starter, and a file it produced (kept `keepSeconds`).
struct JobOutcome: Sendable {
    var report: String?
    var message: String?
    var result: (sha256: String, name: String, keepSeconds: Int64)?
}

extension JobOutcome {
    /// A run's summary kept as the job's report (JSON), and the sentence its page shows.
    init(summary: some Encodable, message: String) throws {
        report = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        self.message = message
    }
}

/// The job's own refusal (a file with bad rows): its report says why; nothing was written.
struct JobRejected: Error {
    let report: String
}
