/// Where a figure stands against its target and the share of the year elapsed (序时进度).
public enum ProgressState: String, ChineseNamed, Codable {
    case met, onPace, behind, missed, missingDeclaration, notInForce
    /// A figure shown without a target of its own (其他渠道: what falls in no channel part).
    case noTarget
    public var chineseName: String {
        switch self {
        case .met: "已完成"
        case .onPace: "达到序时进度"
        case .behind: "落后于序时进度"
        case .missed: "未完成"
        case .missingDeclaration: "未申报基数"
        case .notInForce: "政策不在有效期内"
        case .noTarget: "不设目标"
        }
    }
}

/// Whom a figure is about: a buyer unit, or a region (a paired county, the jurisdiction).
public struct Subject: Codable, Sendable, Equatable, Hashable {
    public let unitID: Int?
    public let region: String
    public let name: String
    public init(unitID: Int? = nil, region: String, name: String) { self.unitID = unitID; self.region = region; self.name = name }
}

/// The ledger rows behind a figure, as filters a ledger query can apply.
public struct DrillDown: Codable, Sendable, Equatable {
    public var unitID: Int?
    public var buyerRegion: String?
    public var originPrefixes: [String]?
    public var channels: [String]?
    public var purposes: [String]?
    public var deepPovertyOnly = false
    /// Rows through none of these channels (the remainder beside a total's channel parts).
    public var excludedChannels: [String]? = nil
    public var fromMonth: String, toMonth: String
}

public struct RuleProgress: Codable, Sendable, Equatable {
    public let ruleCode: String
    public let ruleName: String
    public let subject: Subject
    public let targetFen: Int64?
    public let actualFen: Int64
    public let paceBP: Int
    public let expectedFen: Int64?
    public let projectedFen: Int64?
    public let state: ProgressState
    public let finding: String?
    public let drillDown: DrillDown?
    public var parts: [RuleProgress]

    /// Completion in basis points, capped at 100%: what rankings and scores use.
    public var completionBP: Int {
        guard let t = targetFen, t > 0 else { return state == .met ? 10_000 : 0 }
        return Int(min(10_000, actualFen * 10_000 / t))
    }
}

/// 序时进度 over a policy's window: days elapsed through `asOf`, of the window's days, in basis points.
public enum Pace {
    public static func basisPoints(window: ClosedRange<LocalDate>, asOf: LocalDate) -> Int {
        let total = days(window.lowerBound, window.upperBound)
        guard asOf >= window.lowerBound else { return 0 }
        return days(window.lowerBound, min(asOf, window.upperBound)) * 10_000 / total
    }

    /// Days from `a` through `b`, both included.
    static func days(_ a: LocalDate, _ b: LocalDate) -> Int { b.ordinalSinceEpoch - a.ordinalSinceEpoch + 1 }

    /// What the figure would be at the window's end if buying went on at the rate so far.
    public static func projected(actual: Int64, window: ClosedRange<LocalDate>, asOf: LocalDate) -> Int64? {
        guard asOf >= window.lowerBound else { return nil }
        let elapsed = Int64(days(window.lowerBound, min(asOf, window.upperBound)))
        return actual * Int64(days(window.lowerBound, window.upperBound)) / elapsed
    }
}
