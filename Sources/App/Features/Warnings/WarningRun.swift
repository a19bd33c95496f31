import BangfuKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// The weekly run: every series week not yet judged, oldest first, each from its own few earlier weeks and the
/// state the week before left (`PriceWatch`), so its cost follows the new points, not the history. Warnings rise,
/// escalate and are released as the judgements say; only an office publishes them.
enum WarningRun {
    struct Summary: Content, Equatable {
        var weeks: [String] = [], judged = 0, raised = 0, escalated = 0, released = 0
    }

    struct Row: Decodable {
        let id: Int, product_id: Int, region_code: String, source: String, week: Int, price_fen: Int64
        let level: Int, state: String?
        var series: SeriesKey { SeriesKey(product: product_id, region: region_code, source: source) }
    }

    struct SeriesKey: Hashable { let product: Int, region: String, source: String }

    /// A judged week waiting to be written.
    struct Verdict {
        let row: Row, judgement: PriceWatch.Judgement, week: MarketWeek, jurisdiction: String
    }

    static func judge(products: [MonitoredProduct], today: LocalDate, origin: Audit.Origin,
                      on db: any Database) async throws -> Summary {
        let ids = products.compactMap(\.id)
        guard !ids.isEmpty else { return Summary() }
        let sql = db as! any SQLDatabase
        struct WeekOnly: Decodable { let week: Int }
        let pending = try await sql.raw("""
            SELECT DISTINCT week FROM price_weeks WHERE state IS NULL AND product_id IN (\(binds: ids)) ORDER BY week
            """).all(decoding: WeekOnly.self).compactMap { MarketWeek(key: $0.week) }
        let rules = try await WarningRulesRecord.query(on: db).all()
        let context = Context(products: Dictionary(products.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a }),
                              rules: rules)
        var summary = Summary()
        for week in pending {
            // Offers have no history: stock is judged in the current week only.
            let stock = week == MarketWeek(today) ? try await StockFacts.load(products, today: today, on: db) : [:]
            // A few products at a time: memory follows a chunk's series, not the province's.
            for start in stride(from: 0, to: ids.count, by: productsPerChunk) {
                let chunk = Array(ids[start..<min(ids.count, start + productsPerChunk)])
                let verdicts = try await judge(week: week, ids: chunk, context: context, stock: stock, on: db)
                try await save(verdicts, summary: &summary, origin: origin, on: db)
            }
            summary.weeks.append(week.description)
        }
        return summary
    }

    static let productsPerChunk = 20

    struct Context {
        let products: [Int: MonitoredProduct]
        let rules: [WarningRulesRecord]

        func rules(for region: String) -> WarningRules {
            RegionCode(region)?.nearest(rules, \.jurisdictionCode)?.rules ?? WarningRules()
        }
    }

    /// One week's unjudged series, with the earlier weeks their judgement reads, in two queries.
    static func judge(week: MarketWeek, ids: [Int], context: Context, stock: [StockFacts.Key: PriceWatch.Stock],
                      on db: any Database) async throws -> [Verdict] {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT id, product_id, region_code, source, week, price_fen, level, state FROM price_weeks
            WHERE week = \(bind: week.key) AND state IS NULL AND product_id IN (\(binds: ids))
            """).all(decoding: Row.self)
        guard !rows.isEmpty else { return [] }
        let widest = WarningRules.widest(rows.map { context.rules(for: $0.region_code) })
        let recent = (1...widest.recentWeeks).map { week.adding(weeks: -$0) }
        let earlier = PriceWatch.baselineWeeks(for: week, widest)
        let needed = Array(Set((recent + earlier).map(\.key)))
        let series = Set(rows.map(\.series))
        let history = try await sql.raw("""
            SELECT id, product_id, region_code, source, week, price_fen, level, state FROM price_weeks
            WHERE week IN (\(binds: needed)) AND product_id IN (\(binds: Array(Set(rows.map(\.product_id)))))
            """).all(decoding: Row.self).filter { series.contains($0.series) }
        let bySeries = Dictionary(grouping: history, by: \.series)
        return rows.compactMap { row in
            guard let product = context.products[row.product_id] else { return nil }
            let rules = context.rules(for: row.region_code)
            let past = Dictionary((bySeries[row.series] ?? []).map { ($0.week, $0) }, uniquingKeysWith: { a, _ in a })
            let lastJudged = recent.first { past[$0.key]?.state != nil }
            let state = lastJudged.flatMap { past[$0.key]?.state }.flatMap(decodeState) ?? PriceWatch.State()
            let missing = lastJudged.map { $0.weeks(to: week) - 1 } ?? 0
            let facts = PriceWatch.Facts(
                week: week, price: row.price_fen,
                earlier: PriceWatch.baselineWeeks(for: week, rules).compactMap { past[$0.key]?.price_fen },
                recent: recent.prefix(rules.recentWeeks).reversed().map { past[$0.key]?.price_fen },
                stock: stock[StockFacts.Key(product: row.product_id, township: row.region_code)])
            let j = PriceWatch.judge(facts, after: state.carried(over: missing), rules: rules,
                                     productUnit: product.unit)
            return Verdict(row: row, judgement: j, week: week, jurisdiction: product.jurisdictionCode)
        }
    }

    static func decodeState(_ json: String) -> PriceWatch.State? {
        try? JSONDecoder().decode(PriceWatch.State.self, from: Data(json.utf8))
    }

    /// The week's judgements and the warnings they move, in one transaction.
    static func save(_ verdicts: [Verdict], summary: inout Summary, origin: Audit.Origin,
                     on db: any Database) async throws {
        guard !verdicts.isEmpty else { return }
        let products = Array(Set(verdicts.map(\.row.product_id)))
        let open = try await PriceWarning.query(on: db).filter(\.$product.$id ~~ products)
            .filter(\.$status != PriceWarning.released).all()
        var warnings = Dictionary(open.map { (SeriesKey(product: $0.$product.id, region: $0.regionCode,
                                                          source: $0.source), $0) }, uniquingKeysWith: { a, _ in a })
        var changed: [PriceWarning] = []
        for v in verdicts {
            let key = v.row.series
            let level = v.judgement.state.level
            let entry = PriceWarning.History(week: v.week.description, level: level,
                                             event: v.judgement.event.rawValue, figures: v.judgement.figures)
            if let w = warnings[key] {
                w.level = level; w.lastWeek = v.week.key
                if !v.judgement.figures.isEmpty { w.figures = v.judgement.figures.joined(separator: "；") }
                w.history = w.history + [entry]
                if level == 0 {
                    w.status = PriceWarning.released
                    w.releasedWeek = v.week.key
                    warnings[key] = nil
                    summary.released += 1
                }
                if v.judgement.event == .escalated { summary.escalated += 1 }
                changed.append(w)
            } else if level > 0 {
                let w = PriceWarning()
                w.$product.id = key.product; w.jurisdictionCode = v.jurisdiction; w.regionCode = key.region
                w.source = key.source; w.level = level; w.status = PriceWarning.draft
                w.startedWeek = v.judgement.state.startedWeek ?? v.week.key; w.lastWeek = v.week.key
                w.figures = v.judgement.figures.joined(separator: "；")
                w.history = [entry]
                warnings[key] = w
                changed.append(w)
                summary.raised += 1
            }
        }
        summary.judged += verdicts.count
        let encoder = JSONEncoder()
        let week = verdicts[0].week.description, raised = changed.filter { $0.id == nil }.count
        let toSave = changed
        try await db.writeTransaction { db in
            let sql = db as! any SQLDatabase
            // Many rows a statement: one UPDATE per judged week would be most of the run.
            for start in stride(from: 0, to: verdicts.count, by: 500) {
                let batch = verdicts[start..<min(verdicts.count, start + 500)]
                let values = try batch.map { v -> SQLQueryString in
                    let state = String(decoding: try encoder.encode(v.judgement.state), as: UTF8.self)
                    let level = v.judgement.state.level, baseline = v.judgement.baseline
                    return "(\(bind: v.row.id), \(bind: level), \(bind: state), \(bind: baseline))"
                }
                try await sql.raw("""
                    WITH v(id, level, state, baseline) AS (VALUES \(values.joined(separator: ", ")))
                    UPDATE price_weeks SET level = CAST(v.level AS INTEGER), state = v.state,
                        baseline_fen = CAST(v.baseline AS BIGINT)
                    FROM v WHERE price_weeks.id = v.id
                    """).run()
            }
            for w in toSave { try await w.save(on: db) }
            try await Audit.record(origin, on: db, action: "judge_week", entity: "price_week", id: nil, region: nil,
                                   after: ["week": week, "judged": String(verdicts.count), "raised": String(raised),
                                           "changed": String(toSave.count)])
        }
    }
}

extension WarningRules {
    /// The rules reading the most history, so one read serves every series of the week.
    static func widest(_ all: [WarningRules]) -> WarningRules {
        var w = WarningRules()
        w.baselineYears = all.map(\.baselineYears).max() ?? w.baselineYears
        w.baselineSpanWeeks = all.map(\.baselineSpanWeeks).max() ?? w.baselineSpanWeeks
        w.movingAverageWeeks = all.map(\.movingAverageWeeks).max() ?? w.movingAverageWeeks
        w.scoreWindowWeeks = all.map(\.scoreWindowWeeks).max() ?? w.scoreWindowWeeks
        return w
    }
}

/// `bangfu judge-prices`: the weekly run for every jurisdiction (cron on Monday morning): this week's 成交价
/// derived from the ledger and the catalogue, then every series week not yet judged.
struct JudgePricesCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "每周价格研判：生成成交价并研判所有未研判的周序列" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application, started = Date(), origin = Audit.Origin.command("judge-prices")
        let products = try await MonitoredProduct.query(on: app.db).all()
        try await DerivedPrices.collect(products, week: MarketWeek(app.today), within: nil, today: app.today,
                                        origin: origin, on: app.db)
        let derived = Date().timeIntervalSince(started)
        let s = try await WarningRun.judge(products: products, today: app.today, origin: origin, on: app.db)
        let ms = Int(Date().timeIntervalSince(started) * 1_000)
        let weeks = s.weeks.joined(separator: "、")
        context.console.print("研判 \(s.judged) 个周序列（\(weeks)）：新发预警 \(s.raised) 条，"
            + "升级 \(s.escalated) 条，解除 \(s.released) 条；成交价 \(Int(derived * 1_000)) 毫秒，共用时 \(ms) 毫秒")
    }
}
