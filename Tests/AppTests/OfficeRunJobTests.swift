@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// An office's long runs — 对账, the ledger's flag scan, the weekly price judgement — as jobs (issue 18): queued by
/// the page or by `?async=1`, run by any server for the office's scope, the same result as a run in the request.
final class OfficeRunJobTests: XCTestCase {
    struct Period: Encodable { var from = "2026-10-01"; var to = "2026-11-23"; var full: Bool? = nil }

    /// Two rows of the quarter and their carrier's waybills.
    private func quarter(_ app: Application, _ f: Fixtures, _ office: APIClient) async throws {
        app.setToday(ReconciliationTests.today)
        for (unit, amount) in [(f.hospital, "1800"), (f.school, "1500")] {
            let row = ReconciliationTests.Row(buyerUnitId: unit, amount: amount)
            try await assertEqual(try await office.post("/api/v1/purchases", row).status, .created)
        }
        let file = ReconciliationTests.waybills([
            ["1100000000001", "2026-11-09", "张大山", "云阳县龙角镇示例村5组", "云阳县人民医院", "云阳红橙", "200", "8", "60"],
            ["1100000000002", "2026-11-09", "张大山", "云阳县龙角镇示例村", "云阳县实验中学", "红橙", "3", "1", "12"],
        ])
        let imported = try await office.send(.POST,
            "/api/v1/logistics/import?carrier=%E4%B8%AD%E5%9B%BD%E9%82%AE%E6%94%BFEMS", data: file, type: .plainText)
        XCTAssertEqual(imported.status, .ok, imported.body.string)
    }

    func testARunQueuedThroughTheAPIEndsAsTheSameRunInTheRequestWould() async throws {
        try await withApp { app, f in
            let office = try await apiClient(app, "office")
            try await quarter(app, f, office)
            let queued = try await office.post("/api/v1/reconciliations?async=1", Period())
            XCTAssertEqual(queued.status, .accepted, queued.body.string)
            let job = try await office.ended(try queued.content.decode(APIClient.Job.self).id)
            XCTAssertEqual([job.kind, job.state], ["reconciliation", "done"], job.message ?? "")
            let direct = try await office.post("/api/v1/reconciliations", Period(full: true))
                .content.decode(ReconciliationService.Summary.self)
            XCTAssertGreaterThan(direct.proposals, 0)
            XCTAssertEqual(job.message, "对账完成（2026-10-01至2026-11-23）：读取台账\(direct.rows)行、"
                + "运单\(direct.waybills)条，给出建议\(direct.proposals)条", "the job read what a full run reads")

            let scan = try await office.post("/api/v1/flags/scan?async=1", Period())
            XCTAssertEqual(scan.status, .accepted, scan.body.string)
            let scanned = try await office.ended(try scan.content.decode(APIClient.Job.self).id)
            let flags = try await office.get("/api/v1/flags").content.decode([FlagDTO].self)
            XCTAssertFalse(flags.isEmpty)
            XCTAssertEqual(scanned.message, "扫描完成（2026-10-01至2026-11-23）：发现\(flags.count)处，其中新增\(flags.count)处")

            let judge = try await office.post("/api/v1/warnings/run?async=1", [String: String]())
            XCTAssertEqual(judge.status, .accepted, judge.body.string)
            let judged = try await office.ended(try judge.content.decode(APIClient.Job.self).id)
            XCTAssertEqual(judged.state, "done")
            XCTAssertEqual(judged.message?.hasPrefix("已研判"), true, judged.message ?? "")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$action ~~ ["reconcile", "scan"]).all()
            XCTAssertEqual(audit.count, 3, "the queued run, the direct run and the queued scan")
            XCTAssertEqual(audit.filter { $0.actorName.contains("office") }.count, 3,
                           "a job's writes are audited as its starter's")
        }
    }

    func testARunThatCannotBeDoneIsRefusedBeforeAnythingIsQueued() async throws {
        try await withApp { app, f in
            let office = try await apiClient(app, "office")
            try await quarter(app, f, office)
            let backwards = try await office.post("/api/v1/reconciliations?async=1", Period(from: "2026-11-23",
                                                                                           to: "2026-10-01"))
            XCTAssertEqual(backwards.status, .unprocessableEntity)
            XCTAssertEqual(try backwards.error().error.field, "to")
            let clerk = try await apiClient(app, "clerk")
            try await assertEqual(try await clerk.post("/api/v1/flags/scan?async=1", Period()).status, .forbidden)
            try await assertEqual(try await clerk.post("/api/v1/warnings/run?async=1", [String: String]()).status,
                                  .forbidden)
            try await assertEqual(try await JobRecord.query(on: app.db).count(), 0, "nothing queued")
        }
    }

    func testThePagesRunAsJobsWhosePageLeadsBackToTheResults() async throws {
        try await withApp { app, f in
            try await quarter(app, f, try await apiClient(app, "office"))
            var office = try await Browser.signIn(app, "office")
            let refused = try await office.post("/reconciliation/run", ["from": "2026-11-23", "to": "2026-10-01"])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.body.string.contains("截止日期不能早于开始日期"))
            try await assertEqual(try await JobRecord.query(on: app.db).count(), 0)

            let queued = try await office.post("/reconciliation/run", ["from": "2026-10-01", "to": "2026-11-23"])
            XCTAssertEqual(queued.status, .seeOther)
            let location = try XCTUnwrap(queued.headers.first(name: .location))
            XCTAssertTrue(location.hasPrefix("/jobs/"), location)
            let page = try await office.ended(location)
            XCTAssertTrue(page.body.string.contains("<h1>三方对账</h1>"), page.body.string)
            XCTAssertTrue(page.body.string.contains("对账完成（2026-10-01至2026-11-23）"), page.body.string)
            XCTAssertTrue(page.body.string.contains("href=\"/reconciliation?from=2026-10-01&amp;to=2026-11-23#links\""),
                          page.body.string)
            let results = try await office.get("/reconciliation?from=2026-10-01&to=2026-11-23")
            XCTAssertTrue(results.body.string.contains("待确认"), "the run's proposals are on the page")

            let judge = try await office.post("/warnings/run", [:])
            XCTAssertTrue(judge.headers.first(name: .location)?.hasPrefix("/jobs/") ?? false)
        }
    }

    func testARunThatLostItsLeaseWritesNothing() async throws {
        try await withApp { app, f in
            try await quarter(app, f, try await apiClient(app, "office"))
            let job = JobRecord()
            job.ownerID = try await Fixtures.user("office", on: app.db).id
            (job.originName, job.originIP) = ("office", "127.0.0.1")
            let caller = try await Caller(job: job, action: .reconcile, app: app)
            let input = ReconciliationService.RunInput(from: "2026-10-01", to: "2026-11-23")
            let lost: LeaseCheck = { _ in
                throw APIError(status: .conflict, code: "lease_lost", message: "任务已由另一台服务器接手")
            }
            let audits = try await AuditEntry.query(on: app.db).count()
            for run in [{ _ = try await ReconciliationService.run(input, caller: caller, on: app.db, lease: lost) },
                        { _ = try await LedgerFlags.scan(input, caller: caller, on: app.db, lease: lost) }] {
                do {
                    try await run()
                    XCTFail("a run whose job was taken over stops")
                } catch let e as APIError {
                    XCTAssertEqual(e.code, "lease_lost")
                }
            }
            try await assertEqual(try await ReconciliationLink.query(on: app.db).count(), 0, "no proposal kept")
            try await assertEqual(try await ReconciliationRun.query(on: app.db).count(), 0, "no run remembered")
            try await assertEqual(try await LedgerFlag.query(on: app.db).count(), 0, "no flag kept")
            try await assertEqual(try await AuditEntry.query(on: app.db).count(), audits, "nothing audited")

            let held: LeaseCheck = { _ in }
            _ = try await ReconciliationService.run(input, caller: caller, on: app.db, lease: held)
            try await assertTrue(try await ReconciliationLink.query(on: app.db).count() > 0, "held, the run writes")
        }
    }

    func testTheSameRunAskedAgainWhileItWaitsIsTheSameJob() async throws {
        try await withApp { app, f in
            let office = try await apiClient(app, "office")
            try await quarter(app, f, office)
            await app.jobs.settle()     // nothing is claimed from here on: the jobs stay queued
            let first = try await office.post("/api/v1/reconciliations?async=1", Period())
                .content.decode(APIClient.Job.self)
            let again = try await office.post("/api/v1/reconciliations?async=1", Period())
                .content.decode(APIClient.Job.self)
            XCTAssertEqual(again.id, first.id, "a repeated click does not queue a copy")
            XCTAssertEqual(again.state, "queued")
            let other = try await office.post("/api/v1/reconciliations?async=1", Period(from: "2026-11-01"))
                .content.decode(APIClient.Job.self)
            XCTAssertNotEqual(other.id, first.id, "another period is another run")
            try await assertEqual(try await JobRecord.query(on: app.db).count(), 2)
        }
    }
}
