/// 拖欠货款 (seed 003 五(二)): how long an accepted order has waited for payment, in the buckets offices read,
/// and whether it is past the jurisdiction's limit.
public enum Receivables {
    public enum Bucket: Int, Sendable, CaseIterable, Comparable {
        case within30 = 0, within60, within90, over90
        public var chineseName: String { ["30天内", "31–60天", "61–90天", "90天以上"][rawValue] }
        public static func < (a: Bucket, b: Bucket) -> Bool { a.rawValue < b.rawValue }
    }

    public static func bucket(days: Int) -> Bucket {
        switch days {
        case ..<31: .within30
        case ..<61: .within60
        case ..<91: .within90
        default: .over90
        }
    }

    /// Unpaid past `limit` days since acceptance: flagged to the office.
    public static func overdue(acceptedOn: LocalDate, today: LocalDate, limit: Int) -> Bool {
        acceptedOn.days(until: today) > limit
    }
}

/// 长期供货: a standing need delivers every `every` days from its first day through its last.
public enum StandingNeed {
    /// The delivery days, at most `cap` of them (a term of weekly deliveries is about twenty).
    public static func deliveries(from: LocalDate, to: LocalDate, every: Int?, cap: Int = 400) -> [LocalDate] {
        guard let every, every > 0 else { return from <= to ? [from] : [] }
        var days: [LocalDate] = [], day = from
        while day <= to, days.count < cap {
            days.append(day)
            day = day.adding(days: every)
        }
        return days
    }
}

extension LocalDate {
    /// Whole days from this day to `other` (negative when `other` is earlier).
    public func days(until other: LocalDate) -> Int {
        let seconds = other.startInstant.timeIntervalSince(startInstant)
        return Int((seconds / 86_400).rounded())
    }
}
