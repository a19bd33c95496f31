/// A reporting period: a month (due on the jurisdiction's monthly day, seed 000: the 25th) or a quarter
/// (due on its last month's quarterly day, seed 003: the 30th).
public enum ReportingPeriod: Hashable, Sendable, Comparable, CustomStringConvertible {
    case month(Int, Int)
    case quarter(Int, Int)

    /// "2026-11" or "2026-Q4".
    public init?(_ key: String) {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), (2000...2100).contains(y) else { return nil }
        if parts[1].hasPrefix("Q"), let q = Int(parts[1].dropFirst()), (1...4).contains(q) { self = .quarter(y, q) }
        else if let m = Int(parts[1]), (1...12).contains(m), parts[1].count == 2 { self = .month(y, m) }
        else { return nil }
    }

    public var description: String {
        switch self {
        case .month(let y, let m): String(format: "%04d-%02d", y, m)
        case .quarter(let y, let q): "\(y)-Q\(q)"
        }
    }

    public var chineseName: String {
        switch self {
        case .month(let y, let m): "\(y)年\(m)月"
        case .quarter(let y, let q): "\(y)年第\(["一", "二", "三", "四"][q - 1])季度"
        }
    }

    /// The months the period covers, as rollup keys.
    public var months: [String] {
        switch self {
        case .month: [description]
        case .quarter(let y, let q): (1...3).map { String(format: "%04d-%02d", y, (q - 1) * 3 + $0) }
        }
    }

    public var lastDay: LocalDate {
        switch self {
        case .month(let y, let m): LocalDate(year: y, month: m, day: LocalDate.days(inMonth: m, year: y))
        case .quarter(let y, let q): LocalDate(year: y, month: q * 3, day: LocalDate.days(inMonth: q * 3, year: y))
        }
    }

    public func due(_ calendar: ReportingCalendar) -> LocalDate {
        switch self {
        case .month(let y, let m): LocalDate(year: y, month: m, day: min(calendar.monthlyDueDay, LocalDate.days(inMonth: m, year: y)))
        case .quarter(let y, let q):
            LocalDate(year: y, month: q * 3, day: min(calendar.quarterlyDueDay, LocalDate.days(inMonth: q * 3, year: y)))
        }
    }

    public static func < (a: ReportingPeriod, b: ReportingPeriod) -> Bool { a.description < b.description }
}

/// A jurisdiction's deadlines, configurable (seed 000: monthly by the 25th; seed 003: quarterly by the 30th).
public struct ReportingCalendar: Codable, Sendable, Equatable {
    public var monthlyDueDay: Int
    public var quarterlyDueDay: Int
    public init(monthlyDueDay: Int = 25, quarterlyDueDay: Int = 30) {
        self.monthlyDueDay = monthlyDueDay; self.quarterlyDueDay = quarterlyDueDay
    }

    public enum Status: String, ChineseNamed, Codable {
        case onTime, late, overdue, notDue
        public var chineseName: String {
            switch self {
            case .onTime: "按时报送"
            case .late: "逾期报送"
            case .overdue: "逾期未报"
            case .notDue: "未到期"
            }
        }
    }

    public func status(of period: ReportingPeriod, submittedOn: LocalDate?, today: LocalDate) -> Status {
        let due = period.due(self)
        if let s = submittedOn { return s <= due ? .onTime : .late }
        return today > due ? .overdue : .notDue
    }
}
