import BangfuKit
import Foundation
import Vapor

/// 对账 and the ledger's flag scan as jobs: at a province's scale a run reads a quarter's million rows for minutes,
/// more than a request (or the proxy before it) should wait. Any server runs them, for the office that asked,
/// with the scope its user has when the job runs; the period is checked before the job is queued.
enum ReconciliationJobs {
    enum Kind: String {
        case reconciliation = "reconciliation"
        case flagScan = "flag-scan"
    }

    static func start(_ kind: Kind, _ input: ReconciliationService.RunInput, req: Request) async throws -> Response {
        _ = try Caller(req).jurisdiction()
        _ = try ReconciliationService.period(input, today: req.today)
        return try await JobController.start(req, kind: kind.rawValue, params: input)
    }

    static let reconciliation = JobHandler(title: "三方对账", back: back("#links"), inChunks: true) { job in
        let input = try job.params(ReconciliationService.RunInput.self)
        let caller = try await Caller(job: job.job, action: .reconcile, app: job.app)
        let s = try await ReconciliationService.run(input, caller: caller, on: job.app.db, lease: job.confirm)
        let done = "对账完成（\(s.from)至\(s.to)）：读取台账\(s.rows)行、运单\(s.waybills)条，给出建议\(s.proposals)条"
        return try JobOutcome(summary: s, message: done)
    }

    static let flagScan = JobHandler(title: "台账异常扫描", back: back("#flags")) { job in
        let input = try job.params(ReconciliationService.RunInput.self)
        let caller = try await Caller(job: job.job, action: .reconcile, app: job.app)
        let s = try await LedgerFlags.scan(input, caller: caller, on: job.app.db, lease: job.confirm)
        let done = "扫描完成（\(s.from)至\(s.to)）：发现\(s.found)处，其中新增\(s.created)处"
        return try JobOutcome(summary: s, message: done)
    }

    /// The reconciliation page of the job's period.
    private static func back(_ anchor: String) -> @Sendable (JobRecord) -> (label: String, path: String) {
        { job in
            let input = try? JSONDecoder().decode(ReconciliationService.RunInput.self, from: Data(job.params.utf8))
            let query = [("from", input?.from), ("to", input?.to)]
                .compactMap { key, value in value.flatMap(LocalDate.init).map { "\(key)=\($0)" } }
                .joined(separator: "&")
            return ("查看对账结果", SiteURL.reconciliation.path + (query.isEmpty ? "" : "?" + query) + anchor)
        }
    }
}
