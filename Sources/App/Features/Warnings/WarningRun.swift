import BangfuKit
import Fluent
import Foundation
import SQLKit
import Vapor

/// The weekly run: every series week not yet judged, oldest first, each from its own few earlier weeks and the
/// state the week before left (`PriceWatch`), so its cost follows the new points, not the history. A chunk of
/// products' week is read, judged and written in one transaction, one run at a time; warnings follow each series'
/// newest judgement (`WarningSync`), so weeks judged again after a late point never replay their events.
enum WarningRun {
    struct Summary: Content, Equatable {
        var weeks: [String] = [], judged = 0, raised = 0, escalated = 0, released = 0

        mutating func add(_ other: Summary) {
            judged += other.judged; raised += other.raised; escalated += other.escalated; released += other.released
        }

        var sentence: String {
            "已研判\(judged)个周序列：新发预警\(raised)条，升级\(escalated)条，解除\(released)条"
        }
    }

    struct SeriesKey: Hashable { let product: Int, region: String, source: String }

    static let productsPerChunk = 20

    /// `within`: only the series of places under it (an office's run, a clerk's report); nil: every place.
    static func judge(products: [MonitoredProduct], within: RegionCode? = nil, today: LocalDate,
                      origin: Audit.Origin, on db: any Database, lease: LeaseCheck? = nil) async throws -> Summary {
        let ids = products.compactMap(\.id)
        guard !ids.isEmpty else { return Summary() }
        let place = within?.subtreePrefix ?? ""
        let pending = try await SeriesReads.pendingWeeks(ids, place: place, on: db)
        let context = SeriesReads.Context(
            products: Dictionary(products.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a }),
            records: try await WarningRulesRecord.query(on: db).all(), place: place,
            newest: try await SeriesReads.newestPending(ids, place: place, on: db))
        var summary = Summary()
        for week in pending {
            // Offers have no history: stock is judged in the current week only.
            let stock = week == MarketWeek(today)
                ? try await StockFacts.load(products, today: today, within: place, on: db) : [:]
            // A few products at a time: memory follows a chunk's series, not the province's.
            for start in stride(from: 0, to: ids.count, by: productsPerChunk) {
                let chunk = Array(ids[start..<min(ids.count, start + productsPerChunk)])
                summary.add(try await db.writeTransaction { tx in
                    try await exclusive(on: tx)
                    // SQLite's default page cache (2 MiB) would read the history's index pages again and again.
                    try await tx.readyForBulkWrites()
                    let verdicts = try await SeriesReads.judge(week: week, ids: chunk, context: context, stock: stock,
                                                               on: tx)
                    let written = try await write(verdicts, within: within, origin: origin, context: context, on: tx)
                    try await lease?(tx)
                    return written
                })
            }
            summary.weeks.append(week.description)
        }
        return summary
    }

    /// One run at a time: on PostgreSQL a transaction lock (writers hold another, shared); SQLite's write claim
    /// already admits one writer.
    static func exclusive(on db: any Database) async throws {
        guard db.isPostgres else { return }
        try await (db as! any SQLDatabase).raw("SELECT pg_advisory_xact_lock(727301)").run()
    }

    /// Judgements written many rows a statement, a row only while its price is the one judged (a point arriving
    /// meanwhile leaves its week for the next run); then the warnings of the series' newest weeks.
    static func write(_ verdicts: [SeriesReads.Verdict], within: RegionCode?, origin: Audit.Origin,
                      context: SeriesReads.Context, on db: any Database) async throws -> Summary {
        guard !verdicts.isEmpty else { return Summary() }
        let sql = db as! any SQLDatabase
        let encoder = JSONEncoder()
        for start in stride(from: 0, to: verdicts.count, by: 500) {
            let batch = verdicts[start..<min(verdicts.count, start + 500)]
            let values = try batch.map { v -> SQLQueryString in
                let state = String(decoding: try encoder.encode(v.judgement.state), as: UTF8.self)
                let level = v.judgement.state.level, baseline = v.judgement.baseline
                let figures = v.judgement.figures.joined(separator: "；")
                return "(\(bind: v.row.id), \(bind: v.row.price_fen), \(bind: level), \(bind: state), "
                    + "\(bind: baseline), \(bind: figures))"
            }
            try await sql.raw("""
                WITH v(id, price, level, state, baseline, figures) AS (VALUES \(values.joined(separator: ", ")))
                UPDATE price_weeks SET level = CAST(v.level AS INTEGER), state = v.state,
                    baseline_fen = CAST(v.baseline AS BIGINT), figures = v.figures
                FROM v WHERE price_weeks.id = v.id AND price_weeks.state IS NULL
                    AND price_weeks.price_fen = CAST(v.price AS BIGINT)
                """).run()
        }
        let newest = verdicts.filter { context.newest[$0.row.series] == $0.week.key }
        var summary = try await WarningSync.apply(newest, on: db)
        summary.judged = verdicts.count
        try await Audit.record(origin, on: db, action: "judge_week", entity: "price_week", id: nil,
                               region: within?.digits,
                               after: ["week": verdicts[0].week.description, "judged": "\(verdicts.count)",
                                       "raised": "\(summary.raised)", "released": "\(summary.released)"])
        return summary
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

/// `bangfu judge-prices`: the weekly run for every jurisdiction (cron on Monday morning): the 成交价 of the week
/// just ended and of this one derived from the ledger and the catalogue, then every series week not yet judged.
struct JudgePricesCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "每周价格研判：生成成交价并研判所有未研判的周序列" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application, started = Date(), origin = Audit.Origin.command("judge-prices")
        let products = try await MonitoredProduct.query(on: app.db).all()
        for week in [MarketWeek(app.today).adding(weeks: -1), MarketWeek(app.today)] {
            try await DerivedPrices.collect(products, week: week, within: nil, today: app.today, origin: origin,
                                            on: app.db)
        }
        let derived = Date().timeIntervalSince(started)
        let s = try await WarningRun.judge(products: products, today: app.today, origin: origin, on: app.db)
        let ms = Int(Date().timeIntervalSince(started) * 1_000)
        let weeks = s.weeks.joined(separator: "、")
        context.console.print("研判 \(s.judged) 个周序列（\(weeks)）：新发预警 \(s.raised) 条，"
            + "升级 \(s.escalated) 条，解除 \(s.released) 条；成交价 \(Int(derived * 1_000)) 毫秒，共用时 \(ms) 毫秒")
    }
}
