import BangfuKit
import Fluent
import Foundation
import SQLKit

/// What the weekly run reads: the weeks waiting, a week's unjudged series of some products, and for those series
/// only the earlier weeks their rules look back at — so a week costs its own points, not the history.
enum SeriesReads {
    struct Row: Decodable {
        let id: Int, product_id: Int, region_code: String, source: String, week: Int, price_fen: Int64
        let state: String?
        var series: WarningRun.SeriesKey { .init(product: product_id, region: region_code, source: source) }
    }

    /// A judged week waiting to be written.
    struct Verdict {
        let row: Row, judgement: PriceWatch.Judgement, week: MarketWeek, product: MonitoredProduct
    }

    struct Context: Sendable {
        let products: [Int: MonitoredProduct]
        let rules: [WarningRulesRecord]
        /// The places read (a region's code prefix; empty for all).
        let place: String
        /// Each series' newest week waiting: its warning follows that week's judgement only.
        let newest: [WarningRun.SeriesKey: Int]

        func rules(for region: String) -> WarningRules {
            RegionCode(region)?.nearest(rules, \.jurisdictionCode)?.rules ?? WarningRules()
        }
    }

    struct WeekOnly: Decodable { let week: Int }
    struct Newest: Decodable { let product_id: Int, region_code: String, source: String, week: Int }

    /// The weeks with series not yet judged (a partial index holds only those).
    static func pendingWeeks(_ ids: [Int], place: String, on db: any Database) async throws -> [MarketWeek] {
        try await (db as! any SQLDatabase).raw("""
            SELECT DISTINCT week FROM price_weeks
            WHERE state IS NULL AND product_id IN (\(binds: ids)) AND region_code LIKE \(bind: place + "%")
            ORDER BY week
            """).all(decoding: WeekOnly.self).compactMap { MarketWeek(key: $0.week) }
    }

    static func newestPending(_ ids: [Int], place: String, on db: any Database) async throws
        -> [WarningRun.SeriesKey: Int] {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT product_id, region_code, source, MAX(week) AS week FROM price_weeks
            WHERE state IS NULL AND product_id IN (\(binds: ids)) AND region_code LIKE \(bind: place + "%")
            GROUP BY product_id, region_code, source
            """).all(decoding: Newest.self)
        return Dictionary(rows.map { (.init(product: $0.product_id, region: $0.region_code, source: $0.source), $0.week) },
                          uniquingKeysWith: max)
    }

    /// One week's unjudged series of `ids`, judged from the weeks before them.
    static func judge(week: MarketWeek, ids: [Int], context: Context, stock: [StockFacts.Key: PriceWatch.Stock],
                      on db: any Database) async throws -> [Verdict] {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT id, product_id, region_code, source, week, price_fen, state FROM price_weeks
            WHERE week = \(bind: week.key) AND state IS NULL AND product_id IN (\(binds: ids))
                AND region_code LIKE \(bind: context.place + "%")
            """).all(decoding: Row.self)
        guard !rows.isEmpty else { return [] }
        let widest = WarningRules.widest(rows.map { context.rules(for: $0.region_code) })
        let recent = (1...widest.recentWeeks).map { week.adding(weeks: -$0) }
        let needed = Array(Set((recent + PriceWatch.baselineWeeks(for: week, widest)).map(\.key)))
        let series = Set(rows.map(\.series))
        let history = try await sql.raw("""
            SELECT id, product_id, region_code, source, week, price_fen, state FROM price_weeks
            WHERE week IN (\(binds: needed)) AND product_id IN (\(binds: Array(Set(rows.map(\.product_id)))))
                AND region_code LIKE \(bind: context.place + "%")
            """).all(decoding: Row.self).filter { series.contains($0.series) }
        let bySeries = Dictionary(grouping: history, by: \.series)
        var verdicts: [Verdict] = []
        for row in rows {
            guard let product = context.products[row.product_id] else { continue }
            let rules = context.rules(for: row.region_code)
            let past = Dictionary((bySeries[row.series] ?? []).map { ($0.week, $0) }, uniquingKeysWith: { a, _ in a })
            let (state, missing) = try await before(week, row: row, past: past, recent: recent, on: db)
            let facts = PriceWatch.Facts(
                week: week, price: row.price_fen,
                earlier: PriceWatch.baselineWeeks(for: week, rules).compactMap { past[$0.key]?.price_fen },
                recent: recent.prefix(rules.recentWeeks).reversed().map { past[$0.key]?.price_fen },
                stock: stock[StockFacts.Key(product: row.product_id, township: row.region_code)])
            let j = PriceWatch.judge(facts, after: state.carried(over: missing), rules: rules,
                                     productUnit: product.unit)
            verdicts.append(Verdict(row: row, judgement: j, week: week, product: product))
        }
        return verdicts
    }

    /// The state the series' last judged week left, and the weeks missing since: from the weeks read, or — after
    /// a longer gap (a product back in season) — from its latest judged week, read alone.
    static func before(_ week: MarketWeek, row: Row, past: [Int: Row], recent: [MarketWeek],
                       on db: any Database) async throws -> (PriceWatch.State, Int) {
        if let last = recent.first(where: { past[$0.key]?.state != nil }),
           let state = past[last.key]?.state.flatMap(decode) {
            return (state, last.weeks(to: week) - 1)
        }
        struct Last: Decodable { let week: Int, state: String }
        let last = try await (db as! any SQLDatabase).raw("""
            SELECT week, state FROM price_weeks
            WHERE product_id = \(bind: row.product_id) AND region_code = \(bind: row.region_code)
                AND source = \(bind: row.source) AND week < \(bind: week.key) AND state IS NOT NULL
            ORDER BY week DESC LIMIT 1
            """).first(decoding: Last.self)
        guard let last, let state = decode(last.state), let then = MarketWeek(key: last.week) else {
            return (PriceWatch.State(), 0)
        }
        return (state, then.weeks(to: week) - 1)
    }

    static func decode(_ json: String) -> PriceWatch.State? {
        try? JSONDecoder().decode(PriceWatch.State.self, from: Data(json.utf8))
    }
}
