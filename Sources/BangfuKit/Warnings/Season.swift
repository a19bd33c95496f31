/// A product's 上市期: from the first day of one month to the last day of another, possibly across New Year
/// (冬季蔬菜 11月–次年3月).
public struct Season: Codable, Sendable, Equatable {
    public let fromMonth: Int
    public let toMonth: Int

    public init?(fromMonth: Int, toMonth: Int) {
        guard (1...12).contains(fromMonth), (1...12).contains(toMonth) else { return nil }
        self.fromMonth = fromMonth
        self.toMonth = toMonth
    }

    /// "6月–10月", "11月–次年3月".
    public var chineseName: String {
        "\(fromMonth)月–\(fromMonth <= toMonth ? "" : "次年")\(toMonth)月"
    }

    /// The season's days around `day`, when `day` falls in it.
    public func window(around day: LocalDate) -> ClosedRange<LocalDate>? {
        let startYear: Int
        if fromMonth <= toMonth {
            guard (fromMonth...toMonth).contains(day.month) else { return nil }
            startYear = day.year
        } else {
            guard day.month >= fromMonth || day.month <= toMonth else { return nil }
            startYear = day.month >= fromMonth ? day.year : day.year - 1
        }
        let endYear = fromMonth <= toMonth ? startYear : startYear + 1
        let end = LocalDate(year: endYear, month: toMonth, day: LocalDate.days(inMonth: toMonth, year: endYear))
        return LocalDate(year: startYear, month: fromMonth, day: 1)...end
    }

    /// The share of the season gone through `day`, in basis points (as 序时进度 is for a year); nil out of season.
    public func elapsedBP(on day: LocalDate) -> Int? {
        window(around: day).map { Pace.basisPoints(window: $0, asOf: day) }
    }
}
