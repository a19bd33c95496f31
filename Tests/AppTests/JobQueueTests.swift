@testable import App
import Fluent
import Foundation
import SQLKit
import Vapor
import XCTest

/// Jobs as rows with leases (issue 18): one claim per job across servers, a lapsed lease taken over once and then
/// failed, a killed SQLite process's jobs queued again; and the shared file store, on both databases.
final class JobQueueTests: XCTestCase {
    private func queued(_ n: Int, on db: any Database) async throws -> [String] {
        var ids: [String] = []
        for i in 0..<n {
            let job = JobRecord()
            job.id = "job-\(i)"
            job.kind = "nothing"
            job.originName = "测试"
            job.originIP = "-"
            job.params = "{}"
            job.state = .queued
            job.attempts = 0
            job.createdAt = JobClock.now() + Int64(i)
            try await job.create(on: db)
            ids.append(job.id!)
        }
        return ids
    }

    private func lapse(_ id: String, on db: any Database) async throws {
        try await JobRecord.query(on: db).filter(\.$id == id).set(\.$leaseUntil, to: JobClock.now() - 1).update()
    }

    func testALapsedLeaseIsTakenOverOnceThenTheJobFails() async throws {
        try await withBareApp { app in
            let a = JobQueue(instance: "a:1", leaseSeconds: 30), b = JobQueue(instance: "b:2", leaseSeconds: 30)
            let id = try await queued(1, on: app.db)[0]
            let first = try await a.claim(on: app.db)
            XCTAssertEqual(first?.id, id)
            XCTAssertEqual(first?.worker, "a:1")
            let none = try await b.claim(on: app.db)
            XCTAssertNil(none, "a leased job is nobody else's")
            try await lapse(id, on: app.db)
            if app.db.isPostgres {
                let taken = try await b.claim(on: app.db)
                XCTAssertEqual(taken?.worker, "b:2", "the other server takes it over")
            } else {
                let running = try await b.claim(on: app.db)
                XCTAssertNil(running, "SQLite has one server: a running job is never claimed")
                try await b.expire(on: app.db, atStart: true)
                let again = try await b.claim(on: app.db)
                XCTAssertEqual(again?.worker, "b:2", "a restarted server runs what its killed process left")
            }
            try await lapse(id, on: app.db)
            try await a.expire(on: app.db, atStart: !app.db.isPostgres)
            let job = try await JobRecord.find(id, on: app.db)
            XCTAssertEqual(job?.state, .failed)
            XCTAssertEqual(job?.attempts, JobQueue.maxAttempts)
            XCTAssertEqual(job?.message, JobQueue.interrupted)
            let after = try await a.claim(on: app.db)
            XCTAssertNil(after, "a failed job is not run a third time")
        }
    }

    /// A server stalled past its lease while another took the job over: its work rolls back at the check before
    /// commit, and its end is not recorded over the other server's run.
    func testARunThatLostItsJobCommitsNothingAndRecordsNothing() async throws {
        try await withBareApp { app in
            let a = JobQueue(instance: "a:1", leaseSeconds: 30)
            let id = try await queued(1, on: app.db)[0]
            a.register("nothing", JobHandler { context in
                try await JobRecord.query(on: app.db)
                    .filter(\.$id == context.id)
                    .set(\.$worker, to: "b:2")
                    .set(\.$attempts, to: 2)
                    .update()
                try await app.db.writeTransaction { db in
                    try await Audit.record(.command("test"), on: db, action: "probe", entity: "job", id: nil,
                                           region: nil, after: ["job": context.id])
                    try await context.confirm(on: db)
                }
                return JobOutcome(report: "{}")
            })
            let job = try await a.claim(on: app.db)
            await a.run(try XCTUnwrap(job), app: app)
            let after = try await JobRecord.find(id, on: app.db)
            XCTAssertEqual(after?.state, .running, "the run that took it over is still going")
            XCTAssertEqual(after?.worker, "b:2")
            XCTAssertNil(after?.message)
            let probes = try await AuditEntry.query(on: app.db).filter(\.$action == "probe").count()
            XCTAssertEqual(probes, 0, "the stalled run's writes rolled back")
        }
    }

    func testServersClaimingAtOnceTakeEachJobOnce() async throws {
        try await withBareApp { app in
            let ids = try await queued(24, on: app.db)
            let servers = (0..<3).map { JobQueue(instance: "s:\($0)", leaseSeconds: 30) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for server in servers {
                    group.addTask {
                        var mine: [String] = []
                        while let job = try await server.claim(on: app.db) { mine.append(job.id!) }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            XCTAssertEqual(claimed.sorted(), ids.sorted())
        }
    }

    func testStoredFilesReadBackWholeAcrossChunksAndOnce() async throws {
        try await withBareApp { app in
            let store = DatabaseFileStore(db: app.db, earlier: nil)
            let data = Data((0..<(2 * FileHash.blockSize + 1_234)).map { UInt8(truncatingIfNeeded: $0 * 7) })
            let hash = try await store.put(data)
            let again = try await store.put(data)
            XCTAssertEqual(hash, again)
            let read = try await store.get(hash)
            XCTAssertEqual(read, data)
            let url = URL(fileURLWithPath: NSTemporaryDirectory() + "bangfu-copy-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: url) }
            let copied = try await store.copy(hash, to: url)
            XCTAssertTrue(copied)
            XCTAssertEqual(try Data(contentsOf: url), data)
            try await assertEqual(try await chunkCount(app), 3, "stored once, in three chunks")
            try await store.remove(hash)
            let gone = try await store.get(hash)
            XCTAssertNil(gone)
            let bad = try await store.get("../../etc/passwd")
            XCTAssertNil(bad)
        }
    }

    private func chunkCount(_ app: Application) async throws -> Int {
        struct N: Decodable { let n: Int }
        return try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM stored_file_chunks")
            .first(decoding: N.self)?.n ?? -1
    }
}
