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
        /// A jurisdiction's rules, read from their JSON once for the run.
        struct RuleSet: Sendable { let jurisdiction: String, rules: WarningRules }

        let products: [Int: MonitoredProduct]
        let rules: [RuleSet]
        /// The places read (a region's code prefix; empty for all).
        let place: String
        /// Each series' newest week waiting: its warning follows that week's judgement only.
        let newest: [WarningRun.SeriesKey: Int]

        init(products: [Int: MonitoredProduct], records: [WarningRulesRecord], place: String,
             newest: [WarningRun.SeriesKey: Int]) {
            self.products = products
            rules = records.map { RuleSet(jurisdiction: $0.jurisdictionCode, rules: $0.rules) }
            self.place = place
            self.newest = newest
        }

        func rules(for region: String) -> WarningRules {
            RegionCode(region)?.nearest(rules, \.jurisdiction)?.rules ?? WarningRules()
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
        let weeks = rows.map { r in
            (WarningRun.SeriesKey(product: r.product_id, region: r.region_code, source: r.source), r.week)
        }
        return Dictionary(weeks, uniquingKeysWith: max)
    }

    /// A week of a series as history: its price only.
    struct Past: RowDecodable {
        let product: Int, region: String, source: String, week: Int, price: Int64
        var series: WarningRun.SeriesKey { .init(product: product, region: region, source: source) }
        init(row: any SQLRow) throws {
            product = try row.get("product_id"); region = try row.get("region_code"); source = try row.get("source")
            week = try row.get("week"); price = try row.get("price_fen")
        }
    }

    /// The state a judged week left.
    struct Judged: RowDecodable {
        let series: WarningRun.SeriesKey, state: String
        init(row: any SQLRow) throws {
            series = .init(product: try row.get("product_id"), region: try row.get("region_code"),
                           source: try row.get("source"))
            state = try row.get("state")
        }
    }

    /// One week's unjudged series of `ids`, judged from the weeks before them: the prices of the weeks their rules
    /// read, and the state the week before left (read alone for a series whose week before was not reported).
    static func judge(week: MarketWeek, ids: [Int], context: Context, stock: [StockFacts.Key: PriceWatch.Stock],
                      on db: any Database) async throws -> [Verdict] {
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT id, product_id, region_code, source, week, price_fen, state FROM price_weeks
            WHERE week = \(bind: week.key) AND state IS NULL AND product_id IN (\(binds: ids))
                AND region_code LIKE \(bind: context.place + "%")
            """).all(decoding: Row.self)
        guard !rows.isEmpty else { return [] }
        // Each place's rules and each rule set's weeks, worked out once for the week rather than for every series.
        var ruling: [String: WarningRules] = [:]
        for region in Set(rows.map(\.region_code)) { ruling[region] = context.rules(for: region) }
        var weeks: [WarningRules: (earlier: [Int], recent: [Int])] = [:]
        for rules in Set(ruling.values) {
            let recent = (1...rules.recentWeeks).map { week.adding(weeks: -$0).key }
            weeks[rules] = (PriceWatch.baselineWeeks(for: week, rules).map(\.key), recent)
        }
        let needed = Array(Set(weeks.values.flatMap { $0.earlier + $0.recent }))
        let series = Set(rows.map(\.series)), products = Array(Set(rows.map(\.product_id)))
        let history = try await sql.raw("""
            SELECT product_id, region_code, source, week, price_fen FROM price_weeks
            WHERE week IN (\(binds: needed)) AND product_id IN (\(binds: products))
                AND region_code LIKE \(bind: context.place + "%")
            """).all(reading: Past.self).filter { series.contains($0.series) }
        let states = try await sql.raw("""
            SELECT product_id, region_code, source, state FROM price_weeks
            WHERE week = \(bind: week.adding(weeks: -1).key) AND state IS NOT NULL
                AND product_id IN (\(binds: products))
                AND region_code LIKE \(bind: context.place + "%")
            """).all(reading: Judged.self)
        let lastWeek = Dictionary(states.map { ($0.series, $0.state) }, uniquingKeysWith: { a, _ in a })
        let bySeries = Dictionary(grouping: history, by: \.series)
        var verdicts: [Verdict] = []
        for row in rows {
            guard let product = context.products[row.product_id] else { continue }
            guard let rules = ruling[row.region_code], let (earlier, recent) = weeks[rules] else { continue }
            let past = Dictionary((bySeries[row.series] ?? []).map { ($0.week, $0.price) },
                                  uniquingKeysWith: { a, _ in a })
            var (state, missing) = (PriceWatch.State(), 0)
            if let known = lastWeek[row.series].flatMap(decode) {
                state = known
            } else {
                (state, missing) = try await before(week, row: row, on: db)
            }
            let facts = PriceWatch.Facts(
                week: week, price: row.price_fen, earlier: earlier.compactMap { past[$0] },
                recent: recent.reversed().map { past[$0] },
                stock: stock[StockFacts.Key(product: row.product_id, township: row.region_code)])
            let j = PriceWatch.judge(facts, after: state.carried(over: missing), rules: rules,
                                     productUnit: product.unit)
            verdicts.append(Verdict(row: row, judgement: j, week: week, product: product))
        }
        return verdicts
    }

    /// The state the series' latest judged week before `week` left, and the weeks missing since — read alone, for a
    /// series whose week before was not reported (a gap, a product back in season, a new series).
    static func before(_ week: MarketWeek, row: Row, on db: any Database) async throws -> (PriceWatch.State, Int) {
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
