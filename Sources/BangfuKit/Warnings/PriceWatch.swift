import Foundation

/// One week's judgement of one price series (a product in a place), made from that week's facts and the state the
/// week before left: so a new week costs a few reads per series, never its whole history.
public enum PriceWatch {
    /// What a series carries from week to week.
    public struct State: Codable, Sendable, Equatable {
        public var level = 0
        /// Observed weeks in a row with the price below the baseline by the threshold.
        public var lowWeeks = 0
        /// Weeks in a row with any condition; what escalation counts.
        public var signalWeeks = 0
        /// Observed weeks in a row with no condition; what release counts.
        public var clearWeeks = 0
        /// The week the current warning rose (its key), nil when there is none.
        public var startedWeek: Int?
        public init() {}

        /// The state a week inherits when the weeks between were not reported: a run of low weeks is broken
        /// (the condition was not seen), the level stands (nothing was seen to clear either).
        public func carried(over missingWeeks: Int) -> State {
            var s = self
            if missingWeeks > 0 { s.lowWeeks = 0 }
            return s
        }
    }

    /// Stock of the product in the place over its season: quantities in one unit (grams, or the product's unit).
    public struct Stock: Sendable, Equatable {
        public let offered: Int64, sold: Int64
        /// The share of the season gone, in basis points (序时进度 of the season).
        public let seasonElapsedBP: Int
        public init(offered: Int64, sold: Int64, seasonElapsedBP: Int) {
            self.offered = offered; self.sold = sold; self.seasonElapsedBP = seasonElapsedBP
        }

        public var remainingBP: Int {
            guard offered > 0 else { return 0 }
            let left = max(0, offered - min(sold, offered))
            return Int(Double(left) * 10_000 / Double(offered))
        }
    }

    /// What is known about the series in a week: prices in 分 per base unit.
    public struct Facts: Sendable {
        public let week: MarketWeek
        public let price: Int64?
        /// The same weeks of earlier years (already chosen by `baselineWeeks`).
        public let earlier: [Int64]
        /// The weeks just before, oldest first, the last being the week before; nil where none was reported.
        public let recent: [Int64?]
        public let stock: Stock?
        public init(week: MarketWeek, price: Int64?, earlier: [Int64] = [], recent: [Int64?] = [],
                    stock: Stock? = nil) {
            self.week = week; self.price = price; self.earlier = earlier; self.recent = recent; self.stock = stock
        }
    }

    public enum Condition: String, Codable, Sendable, CaseIterable {
        case belowBaseline, farBelowBaseline, sharpFall, unsoldLate
    }

    public enum Event: String, Codable, Sendable {
        case none, rose, escalated, released
    }

    public struct Judgement: Sendable, Equatable {
        public let state: State
        public let conditions: [Condition]
        public let baseline: Int64?
        public let baselineKind: String?
        public let event: Event
        /// The figures that raised or kept the warning, in words ("地头价1.2元/斤，同期基准1.8元/斤，低33.3%…").
        public let figures: [String]
    }

    /// The weeks whose prices make a week's same-period baseline: `span` either side of the same week of each of
    /// `years` earlier years (week 53 read as 52 in a year without one).
    public static func baselineWeeks(for week: MarketWeek, _ rules: WarningRules) -> [MarketWeek] {
        (1...rules.baselineYears).flatMap { back -> [MarketWeek] in
            guard let same = week.sameWeek(in: week.year - back) else { return [] }
            return (-rules.baselineSpanWeeks...rules.baselineSpanWeeks).map { same.adding(weeks: $0) }
        }
    }

    /// The baseline and how it was made: the median of the same weeks of earlier years, or — with no history — the
    /// mean of the last `movingAverageWeeks` reported weeks (at least three).
    public static func baseline(_ f: Facts, _ rules: WarningRules) -> (Int64, String)? {
        if let median = median(f.earlier) { return (median, "近\(rules.baselineYears)年同期中位数") }
        let last = f.recent.suffix(rules.movingAverageWeeks).compactMap { $0 }
        guard last.count >= 3 else { return nil }
        let sum = last.reduce(0.0) { $0 + Double($1) }
        return (Int64((sum / Double(last.count)).rounded()), "近\(rules.movingAverageWeeks)周均价（无同期历史）")
    }

    /// The week's change against the week before, in basis points, and its robust score among the changes of the
    /// last `scoreWindowWeeks` (consecutive reported weeks only).
    public static func change(_ f: Facts, _ rules: WarningRules) -> (bp: Int, score: Double?)? {
        guard let price = f.price, let previous = f.recent.last ?? nil, previous > 0 else { return nil }
        let now = Double(price - previous) * 10_000 / Double(previous)
        let window = Array(f.recent.suffix(rules.scoreWindowWeeks + 1))
        let past = zip(window, window.dropFirst()).compactMap { a, b -> Double? in
            guard let a, let b, a > 0 else { return nil }
            return Double(b - a) * 10_000 / Double(a)
        }
        return (basisPoints(now), RobustScore.scores(past + [now])?.last)
    }

    public static func judge(_ f: Facts, after previous: State, rules: WarningRules, productUnit: String) -> Judgement {
        var s = previous
        var conditions: [Condition] = [], figures: [String] = []
        let base = baseline(f, rules)
        func price(_ p: Int64) -> String { PriceQuote.text(p, productUnit: productUnit) }
        if let p = f.price, let (b, kind) = base, b > 0 {
            let dropBP = basisPoints(Double(b - p) * 10_000 / Double(b))
            s.lowWeeks = dropBP >= rules.dropBP ? s.lowWeeks + 1 : 0
            if s.lowWeeks >= rules.weeksInRow {
                conditions.append(.belowBaseline)
                if dropBP >= 2 * rules.dropBP { conditions.append(.farBelowBaseline) }
                figures.append("本周价格\(price(p))，\(kind)\(price(b))，低\(percent(dropBP))，"
                    + "已连续\(s.lowWeeks)周低于基准\(percent(rules.dropBP))以上")
            }
        } else {
            s.lowWeeks = 0     // a week without a price breaks a run: the condition was not seen
        }
        if let (bp, score) = change(f, rules), let score, bp < 0, score <= -rules.fallScore {
            conditions.append(.sharpFall)
            figures.append("周环比\(percent(bp))，稳健评分\(String(format: "%.1f", score))（阈值-\(rules.fallScore)）")
        }
        if let stock = f.stock, stock.offered > 0, stock.seasonElapsedBP > 0,
           stock.remainingBP >= rules.stockHighBP, 10_000 - stock.seasonElapsedBP <= rules.seasonLeftBP {
            conditions.append(.unsoldLate)
            let left = percent(10_000 - stock.seasonElapsedBP)
            figures.append("待销量仍余\(percent(stock.remainingBP))，上市期仅余\(left)")
        }
        let event = step(&s, raw: conditions.count, observed: f.price != nil, week: f.week, rules: rules)
        return Judgement(state: s, conditions: conditions, baseline: base?.0, baselineKind: base?.1, event: event,
                         figures: figures)
    }

    /// Escalation while a condition persists; release after `releaseWeeks` observed clear weeks. A week with
    /// neither a price nor a condition changes nothing.
    static func step(_ s: inout State, raw: Int, observed: Bool, week: MarketWeek, rules: WarningRules) -> Event {
        let before = s.level
        if raw > 0 {
            s.signalWeeks += 1
            s.clearWeeks = 0
            let escalation = (s.signalWeeks - 1) / rules.escalateWeeks
            s.level = min(rules.scheme.highest, max(before, raw + escalation))
            if before == 0 { s.startedWeek = week.key }
            return before == 0 ? .rose : (s.level > before ? .escalated : .none)
        }
        guard observed else { return .none }
        s.signalWeeks = 0
        s.clearWeeks += 1
        guard before > 0, s.clearWeeks >= rules.releaseWeeks else { return .none }
        s.level = 0
        s.startedWeek = nil
        return .released
    }

    public static func median(_ xs: [Int64]) -> Int64? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] / 2 + s[m] / 2 + (s[m - 1] % 2 + s[m] % 2) / 2)
    }

    /// A share in basis points as an integer, held within ±10⁹ (prices are bounded, but a ratio of two is not).
    static func basisPoints(_ x: Double) -> Int {
        guard x.isFinite else { return x > 0 ? 1_000_000_000 : -1_000_000_000 }
        return Int(min(1e9, max(-1e9, x.rounded())))
    }

    static func percent(_ bp: Int) -> String { String(format: "%.1f%%", Double(bp) / 100) }
}
