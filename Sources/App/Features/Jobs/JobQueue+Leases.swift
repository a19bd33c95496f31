import Fluent
import Foundation
import SQLKit
import Vapor

extension JobQueue {
    private struct Claimed: Decodable { let id: String }

    /// Takes the oldest waiting job (or, on PostgreSQL, one whose lease ran out) and leases it to this server.
    func claim(on db: any Database) async throws -> JobRecord? {
        let sql = db as! any SQLDatabase
        let now = JobClock.now()
        let pick: SQLQueryString = db.isPostgres
            ? """
              SELECT id FROM jobs WHERE state = 'queued'
                 OR (state = 'running' AND lease_until < \(bind: now) AND attempts < \(bind: Self.maxAttempts))
              ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
              """
            : "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at LIMIT 1"
        let claimed = try await sql.raw("""
            UPDATE jobs SET state = 'running', worker = \(bind: instance), lease_until = \(bind: now + lease),
                attempts = attempts + 1, report = NULL
            WHERE id = (\(pick)) RETURNING id
            """).first(decoding: Claimed.self)
        guard let id = claimed?.id else { return nil }
        return try await JobRecord.find(id, on: db)
    }

    /// Fails the jobs whose second lease ran out; on SQLite at start, requeues (or fails) what a killed process
    /// left running.
    func expire(on db: any Database, atStart: Bool = false) async throws {
        let sql = db as! any SQLDatabase
        let now = JobClock.now()
        let lapsed: SQLQueryString = atStart ? "state = 'running'" : "state = 'running' AND lease_until < \(bind: now)"
        try await sql.raw("""
            UPDATE jobs SET state = 'failed', message = \(bind: Self.interrupted), finished_at = \(bind: now),
                lease_until = NULL
            WHERE \(lapsed) AND attempts >= \(bind: Self.maxAttempts)
            """).run()
        guard atStart else { return }
        try await sql.raw("UPDATE jobs SET state = 'queued', worker = NULL, lease_until = NULL WHERE state = 'running'")
            .run()
    }

    static let interrupted =
        "运行该任务的服务器中断，已重试仍未完成；导入与导出未作任何改动（对账与研判已完成的部分保留），请重新提交"

    /// Runs one claimed job to its end, renewing the lease (and storing progress) while it runs.
    func run(_ job: JobRecord, app: Application) async {
        guard let id = job.id else { return }
        let context = JobContext(job: job, app: app)
        live.withLockedValue { $0[id] = context }
        let renewing = app.db.isPostgres ? Task { await renew(context, app: app) } : nil
        defer {
            renewing?.cancel()
            live.withLockedValue { $0[id] = nil }
        }
        let ending: Ending
        let handler = handlers.withLockedValue { $0[job.kind] }
        do {
            guard let handler else {
                throw Abort(.internalServerError, reason: "no handler for job kind \(job.kind)")
            }
            ending = .done(try await handler.run(context))
        } catch let rejected as JobRejected {
            ending = .rejected(rejected.report)
        } catch let error as APIError {
            ending = .failed(error.message)
        } catch {
            app.logger.error("job \(id) (\(job.kind)) failed: \(String(describing: error))")
            let kept = handler?.inChunks == true ? "已完成的部分已保存，重新运行会补全" : "数据未作任何改动"
            ending = .failed("任务失败，\(kept)：\(String(describing: error).prefix(300))")
        }
        renewing?.cancel()
        do { try await finish(job, ending, app: app) } catch {
            app.logger.error("job \(id): could not record its end: \(String(describing: error))")
        }
    }

    enum Ending {
        case done(JobOutcome), rejected(String), failed(String)
    }

    private func finish(_ job: JobRecord, _ ending: Ending, app: Application) async throws {
        let now = JobClock.now()
        var update = JobRecord.query(on: app.db)
            .filter(\.$id == job.id!)
            .filter(\.$worker == instance)
            .filter(\.$state == .running)
            .set(\.$finishedAt, to: now)
            .set(\.$leaseUntil, to: nil)
        switch ending {
        case .done(let outcome):
            update = update.set(\.$state, to: .done)
                .set(\.$report, to: outcome.report)
                .set(\.$message, to: outcome.message)
            if let result = outcome.result {
                update = update.set(\.$resultSHA, to: result.sha256).set(\.$resultName, to: result.name)
                    .set(\.$expiresAt, to: now + result.keepSeconds * 1_000)
            }
        case .rejected(let report):
            update = update.set(\.$state, to: .rejected).set(\.$report, to: report)
        case .failed(let message):
            update = update.set(\.$state, to: .failed).set(\.$message, to: message)
        }
        try await update.update()
        try await releaseInput(of: job, on: app)
    }

    /// An upload is kept while a job may still read it.
    private func releaseInput(of job: JobRecord, on app: Application) async throws {
        guard let sha = job.inputSHA else { return }
        let waiting = try await JobRecord.query(on: app.db)
            .filter(\.$inputSHA == sha)
            .filter(\.$state ~~ [.queued, .running])
            .count()
        if waiting == 0 { try await app.files.remove(sha) }
    }

    private func renew(_ context: JobContext, app: Application) async {
        let every = Duration.milliseconds(max(lease / 3, 200))
        while !Task.isCancelled {
            try? await Task.sleep(for: every)
            guard !Task.isCancelled else { return }
            do {
                try await JobRecord.query(on: app.db)
                    .filter(\.$id == context.id)
                    .filter(\.$worker == instance)
                    .filter(\.$state == .running)
                    .set(\.$leaseUntil, to: JobClock.now() + lease)
                    .set(\.$report, to: context.latest)
                    .update()
            } catch {
                app.logger.warning("job \(context.id): lease not renewed: \(String(describing: error))")
            }
        }
    }

    /// Forgets finished jobs after a week and produced files when their keeping time ends.
    func sweep(on app: Application) async throws {
        let now = JobClock.now()
        let expired = try await JobRecord.query(on: app.db)
            .filter(\.$expiresAt < now)
            .filter(\.$resultSHA != nil)
            .all()
        for job in expired {
            guard let sha = job.resultSHA else { continue }
            job.resultSHA = nil
            try await job.save(on: app.db)
            // The same export made twice is one stored file: it goes with the last job keeping it.
            let kept = try await JobRecord.query(on: app.db).filter(\.$resultSHA == sha).count()
            if kept == 0 { try await app.files.remove(sha) }
        }
        try await JobRecord.query(on: app.db)
            .filter(\.$finishedAt < now - Self.keepFinished)
            .filter(\.$resultSHA == nil)
            .delete()
    }
}
