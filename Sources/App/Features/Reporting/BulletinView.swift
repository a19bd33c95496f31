import BangfuKit

/// A bulletin formatted for pages, print and .xlsx: money as 元, shares as percents, bar widths for the charts.
struct BulletinView: Encodable {
    struct Line: Encodable { let name: String; let amount: String; let width: Int }
    struct Rank: Encodable { let rank: Int; let name: String; let completion: String; let width: Int; let met: Int; let rules: Int; let amount: String }
    struct Outcome: Encodable { let name: String; let ahead: String; let behind: String; let undeclared: String }
    struct Target: Encodable { let name: String; let target: String; let actual: String; let completion: String; let width: Int; let state: String }

    let title: String, asOf: String, pace: String, quarterAmount: String, yearAmount: String
    let deepPoverty: String, deepPovertyShare: String, households: Int
    /// 可溯源率 as published (nil for bulletins published before it was kept).
    let traceability: String?
    let byChannel: [Line], byPurpose: [Line], units: [Rank], counties: [Rank], outcomes: [Outcome], targets: [Target]
    /// The year by month: a column chart and its figures.
    let trend: ColumnChart

    init(_ b: Bulletin) {
        title = b.title; asOf = b.asOf.description; pace = ProgressDTO.percent(b.paceBP)
        quarterAmount = Fen(b.quarterFen).wanText; yearAmount = Fen(b.yearFen).wanText
        deepPoverty = Fen(b.deepPovertyFen).wanText
        deepPovertyShare = ProgressDTO.percent(b.deepPovertyShareBP)
        households = b.householdsReached
        traceability = b.traceability
        let top = max(1, b.byChannel.map(\.amountFen).max() ?? 1, b.byPurpose.map(\.amountFen).max() ?? 1)
        func line(_ l: Bulletin.Line) -> Line {
            Line(name: l.name, amount: Fen(l.amountFen).wanText, width: Int(l.amountFen * 100 / top))
        }
        byChannel = b.byChannel.map(line); byPurpose = b.byPurpose.map(line)
        trend = ColumnChart.make((b.byMonth ?? []).map { ($0.name, $0.amountFen, Fen($0.amountFen).wanText) })
        func rank(_ r: Bulletin.Rank) -> Rank {
            Rank(rank: r.rank, name: r.name, completion: ProgressDTO.percent(r.completionBP), width: r.completionBP / 100, met: r.met, rules: r.rules,
                 amount: Fen(r.amountFen).wanText)
        }
        units = b.units.map(rank); counties = b.counties.map(rank)
        outcomes = b.outcomes.map { Outcome(name: $0.ruleName, ahead: $0.ahead.joined(separator: "、"), behind: $0.behind.joined(separator: "、"),
                                            undeclared: $0.undeclared.joined(separator: "、")) }
        targets = b.targets.flatMap { [$0] + $0.parts }.map {
            Target(name: $0.ruleName, target: $0.targetFen.map { Fen($0).wanText } ?? "—",
                   actual: Fen($0.actualFen).wanText,
                   completion: $0.targetFen == nil ? "—" : ProgressDTO.percent($0.completionBP),
                   width: $0.completionBP / 100,
                   state: $0.state.chineseName)
        }
    }

    /// The same content as rows of one sheet, section by section.
    var sheet: [[String]] {
        var rows: [[String]] = [[title], ["数据截至", asOf, "序时进度", pace],
                                ["本季度计入金额", quarterAmount, "年度累计", yearAmount],
                                ["其中深度贫困镇村", deepPoverty, "占比", deepPovertyShare], ["带动脱贫户（户）", String(households)], []]
        rows += [["目标", "目标值", "完成", "完成率", "状态"]] + targets.map { [$0.name, $0.target, $0.actual, $0.completion, $0.state] } + [[]]
        rows += [["单位排名", "单位", "完成率", "达标规则", "规则数", "采购金额"]]
            + units.map { [String($0.rank), $0.name, $0.completion, String($0.met), String($0.rules), $0.amount] } + [[]]
        rows += [["区县排名", "区县", "完成率", "达标规则", "规则数", "采购金额"]]
            + counties.map { [String($0.rank), $0.name, $0.completion, String($0.met), String($0.rules), $0.amount] } + [[]]
        rows += [["规则", "达到目标或序时进度", "落后", "未申报基数"]] + outcomes.map { [$0.name, $0.ahead, $0.behind, $0.undeclared] } + [[]]
        rows += [["月份", "金额"]] + trend.columns.map { [$0.label, $0.display] } + [[]]
        rows += [["渠道", "金额"]] + byChannel.map { [$0.name, $0.amount] } + [[]]
        rows += [["用途", "金额"]] + byPurpose.map { [$0.name, $0.amount] }
        return rows
    }
}
