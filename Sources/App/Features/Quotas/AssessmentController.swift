import BangfuKit
import Vapor

/// 年终考核: a year-end score per unit and per county from the rules (mean completion, a missing declaration
/// scoring nothing), each with the evidence behind it: every rule's target, actual and the rows' link.
enum AssessmentController {
    struct Score: Content {
        let subject: String, unitId: Int?, score: Int, met: Int, rules: Int
        let evidence: [ProgressDTO]
    }

    static func scores(_ req: Request) async throws -> [Score] {
        let lines = try await ProgressController.progress(req)
        let bySubject = Dictionary(grouping: lines) { "\($0.unitId.map(String.init) ?? "")|\($0.subject)" }
        return bySubject.values.map { ps in
            Score(subject: ps[0].subject, unitId: ps[0].unitId, score: ps.reduce(0) { $0 + $1.completionBP } / max(1, ps.count) / 100,
                  met: ps.filter { $0.state == ProgressState.met.rawValue }.count, rules: ps.count, evidence: ps)
        }.sorted { ($0.score, $1.subject) > ($1.score, $0.subject) }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [Score] { try await scores(req) }

    struct Page: Encodable { let shell: Shell; let year: Int; let scores: [Score] }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("quotas/assessment", Page(shell: Shell(req), year: req.query["year"] ?? req.today.year, scores: try await scores(req)))
    }

    @Sendable static func export(req: Request) async throws -> Response {
        let year = req.query["year"] ?? req.today.year
        var rows: [[String]] = [["\(year)年消费帮扶年终考核"], ["考核对象", "得分", "达标规则", "规则数", "规则", "目标", "完成", "完成率", "状态", "说明"]]
        for s in try await scores(req) {
            for (i, e) in s.evidence.enumerated() {
                rows.append([i == 0 ? s.subject : "", i == 0 ? String(s.score) : "", i == 0 ? String(s.met) : "", i == 0 ? String(s.rules) : "",
                             e.ruleName, e.target ?? "—", e.actual, e.completionPercent, e.stateName, e.finding ?? ""])
            }
        }
        return try SheetDownload.response(rows, sheetName: "年终考核", filename: "\(year)年终考核", req: req)
    }
}
