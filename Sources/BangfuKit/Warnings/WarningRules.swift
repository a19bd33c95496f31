/// How a jurisdiction judges its monitored prices (监测预警规则), kept as data: thresholds, the weeks a condition
/// must hold, and the scheme its levels are named in. Presets follow published practice (see `presets`).
public struct WarningRules: Codable, Sendable, Hashable {
    /// Earlier years whose same weeks make the baseline (MARA's 同期), and the weeks either side taken with them.
    public var baselineYears = 3
    public var baselineSpanWeeks = 1
    /// Where a series has no earlier year: the mean of its last weeks stands in.
    public var movingAverageWeeks = 8
    /// Price this far below the baseline, in basis points, for `weeksInRow` observed weeks in a row.
    public var dropBP = 2_000
    public var weeksInRow = 2
    /// A week's change scored against the series' last `scoreWindowWeeks` changes (median/MAD).
    public var fallScore = 3.5
    public var scoreWindowWeeks = 13
    /// Stock still unsold at least this share of the season's supply while at most `seasonLeftBP` of it remains.
    public var stockHighBP = 5_000
    public var seasonLeftBP = 3_000
    /// A warning rises a level for each `escalateWeeks` it persists, and is released after `releaseWeeks` clear.
    public var escalateWeeks = 4
    public var releaseWeeks = 2
    public var scheme = LevelScheme.colours

    public init() {}

    /// Each field within a range that keeps the arithmetic and the reads bounded.
    public func validated() -> FieldError? {
        let checks: [(String, Bool, String)] = [
            ("baselineYears", (1...10).contains(baselineYears), "1–10"),
            ("baselineSpanWeeks", (0...4).contains(baselineSpanWeeks), "0–4"),
            ("movingAverageWeeks", (2...26).contains(movingAverageWeeks), "2–26"),
            ("dropBP", (100...9_000).contains(dropBP), "100–9000"),
            ("weeksInRow", (1...12).contains(weeksInRow), "1–12"),
            ("fallScore", fallScore.isFinite && (1...20).contains(fallScore), "1–20"),
            ("scoreWindowWeeks", (5...52).contains(scoreWindowWeeks), "5–52"),
            ("stockHighBP", (1...10_000).contains(stockHighBP), "1–10000"),
            ("seasonLeftBP", (0...10_000).contains(seasonLeftBP), "0–10000"),
            ("escalateWeeks", (1...26).contains(escalateWeeks), "1–26"),
            ("releaseWeeks", (1...12).contains(releaseWeeks), "1–12"),
        ]
        return checks.first { !$0.1 }.map {
            FieldError(field: $0.0, code: "out_of_range", message: "\($0.0) 须在 \($0.2) 之间")
        }
    }

    /// The weeks of history a week's judgement reads before it (for the moving average and the score).
    public var recentWeeks: Int { max(movingAverageWeeks, scoreWindowWeeks + 1) }

    enum CodingKeys: String, CodingKey {
        case baselineYears, baselineSpanWeeks, movingAverageWeeks, dropBP, weeksInRow, fallScore, scoreWindowWeeks,
             stockHighBP, seasonLeftBP, escalateWeeks, releaseWeeks, scheme
    }

    /// A stored set missing a newer field reads that field's default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WarningRules()
        baselineYears = try c.decodeIfPresent(Int.self, forKey: .baselineYears) ?? d.baselineYears
        baselineSpanWeeks = try c.decodeIfPresent(Int.self, forKey: .baselineSpanWeeks) ?? d.baselineSpanWeeks
        movingAverageWeeks = try c.decodeIfPresent(Int.self, forKey: .movingAverageWeeks) ?? d.movingAverageWeeks
        dropBP = try c.decodeIfPresent(Int.self, forKey: .dropBP) ?? d.dropBP
        weeksInRow = try c.decodeIfPresent(Int.self, forKey: .weeksInRow) ?? d.weeksInRow
        fallScore = try c.decodeIfPresent(Double.self, forKey: .fallScore) ?? d.fallScore
        scoreWindowWeeks = try c.decodeIfPresent(Int.self, forKey: .scoreWindowWeeks) ?? d.scoreWindowWeeks
        stockHighBP = try c.decodeIfPresent(Int.self, forKey: .stockHighBP) ?? d.stockHighBP
        seasonLeftBP = try c.decodeIfPresent(Int.self, forKey: .seasonLeftBP) ?? d.seasonLeftBP
        escalateWeeks = try c.decodeIfPresent(Int.self, forKey: .escalateWeeks) ?? d.escalateWeeks
        releaseWeeks = try c.decodeIfPresent(Int.self, forKey: .releaseWeeks) ?? d.releaseWeeks
        scheme = try c.decodeIfPresent(LevelScheme.self, forKey: .scheme) ?? d.scheme
    }

    /// Published practice to start from: MARA's same-period comparison in four colours, the 猪粮比价-style
    /// three tiers (三级/二级/一级), and a stricter plan for fresh produce that cannot wait.
    public static let presets: [(code: String, name: String, rules: WarningRules)] = [
        ("sameperiod-colours", "同期比较·蓝黄橙红四色（农业农村部监测预警通行做法）", WarningRules()),
        ("three-tier", "三级预警（参照猪粮比价分级：三级/二级/一级）", {
            var r = WarningRules()
            r.scheme = .tiers
            r.dropBP = 1_500
            r.weeksInRow = 3
            return r
        }()),
        ("fresh-produce", "鲜活农产品·从严（连续1周低于同期15%即预警）", {
            var r = WarningRules()
            r.dropBP = 1_500
            r.weeksInRow = 1
            r.escalateWeeks = 2
            return r
        }()),
    ]
}

/// How levels are named: four colours (蓝 lowest) or three tiers (三级 lowest, 一级 gravest).
public enum LevelScheme: String, ChineseNamed, Codable {
    case colours, tiers
    public var chineseName: String {
        switch self {
        case .colours: "蓝/黄/橙/红四色"
        case .tiers: "三级/二级/一级"
        }
    }

    public var highest: Int { self == .colours ? 4 : 3 }

    /// The name of level 1…highest; level 0 is no warning.
    public func name(_ level: Int) -> String {
        guard level > 0 else { return "无预警" }
        switch self {
        case .colours: return ["蓝色预警", "黄色预警", "橙色预警", "红色预警"][min(level, 4) - 1]
        case .tiers: return ["三级预警", "二级预警", "一级预警"][min(level, 3) - 1]
        }
    }

    /// The colour pages draw the level in.
    public func colour(_ level: Int) -> String {
        guard level > 0 else { return "none" }
        let colours = ["blue", "yellow", "orange", "red"]
        return self == .colours ? colours[min(level, 4) - 1] : colours[min(level, 3)]
    }
}
