import BangfuKit
import Vapor

/// 年终考核: a year-end score per unit and per county from the rules (mean completion, a missing declaration
/// scoring nothing), each with the evidence behind it: every rule's target, actual and the rows' link.
enum AssessmentController {
    struct Score: Content {
        let subject: String, unitId: Int?, score: Int, met: Int, rules: Int
        let evidence: [ProgressDTO]
    }

    /// A county's score: the mean completion of every rule line of its units.
    struct CountyScore: Content { let county: String, name: String, score: Int, units: Int, met: Int, rules: Int }
    struct Assessment: Content { let year: Int; let scores: [Score]; let counties: [CountyScore] }

    static func mean(_ lines: [ProgressDTO]) -> Int { lines.reduce(0) { $0 + $1.completionBP } / max(1, lines.count) / 100 }

    static func assess(_ req: Request) async throws -> Assessment {
        let lines = try await ProgressController.progress(req)
        let bySubject = Dictionary(grouping: lines) { "\($0.unitId.map(String.init) ?? "")|\($0.subject)" }
        let scores = bySubject.values.map { ps in
            Score(subject: ps[0].subject, unitId: ps[0].unitId, score: mean(ps),
                  met: ps.filter { $0.state == ProgressState.met.rawValue }.count, rules: ps.count, evidence: ps)
        }.sorted { ($0.score, $1.subject) > ($1.score, $0.subject) }
        let byCounty = Dictionary(grouping: lines.filter { $0.unitId != nil }) { RegionCode($0.region)?.ancestor(at: .county)?.digits ?? $0.region }
        let names = try await RegionNames.places(for: Array(byCounty.keys), on: req.db)
        let counties = byCounty.map { code, ps in
            CountyScore(county: code, name: names[code] ?? code, score: mean(ps), units: Set(ps.compactMap(\.unitId)).count,
                        met: ps.filter { $0.state == ProgressState.met.rawValue }.count, rules: ps.count)
        }.sorted { ($0.score, $1.county) > ($1.score, $0.county) }
        return Assessment(year: req.query["year"] ?? req.today.year, scores: scores, counties: counties)
    }

    @Sendable static func apiIndex(req: Request) async throws -> Assessment { try await assess(req) }

    struct Page: Encodable { let shell: Shell; let year: Int; let scores: [Score]; let counties: [CountyScore] }

    @Sendable static func index(req: Request) async throws -> View {
        let a = try await assess(req)
        return try await req.view.render("quotas/assessment", Page(shell: Shell(req), year: a.year, scores: a.scores, counties: a.counties))
    }

    @Sendable static func export(req: Request) async throws -> Response {
        let year = req.query["year"] ?? req.today.year
        var rows: [[String]] = [["\(year)年消费帮扶年终考核"]]
        let a = try await assess(req)
        rows += [["区县", "得分", "单位数", "达标规则", "规则数"]] + a.counties.map { [$0.name, String($0.score), String($0.units), String($0.met), String($0.rules)] } + [[]]
        rows.append(["考核对象", "得分", "达标规则", "规则数", "规则", "目标", "完成", "完成率", "状态", "说明"])
        for s in a.scores {
            for (i, e) in s.evidence.enumerated() {
                rows.append([i == 0 ? s.subject : "", i == 0 ? String(s.score) : "", i == 0 ? String(s.met) : "", i == 0 ? String(s.rules) : "",
                             e.ruleName, e.target ?? "—", e.actual, e.completionPercent, e.stateName, e.finding ?? ""])
            }
        }
        return try SheetDownload.response(rows, sheetName: "年终考核", filename: "\(year)年终考核", req: req)
    }
}
