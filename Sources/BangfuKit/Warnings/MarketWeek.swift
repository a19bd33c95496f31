/// An ISO 8601 week (周一至周日), the period prices are collected and warnings judged by. A year has 52 or 53 of
/// them; the week holding 4 January is the first.
public struct MarketWeek: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let number: Int

    public init?(year: Int, number: Int) {
        guard (1900...9999).contains(year), (1...MarketWeek.weeks(in: year)).contains(number) else { return nil }
        self.year = year
        self.number = number
    }

    /// The week a day falls in (its ISO year can differ from the day's year around New Year).
    public init(_ day: LocalDate) {
        let weekday = MarketWeek.weekday(day)
        let thursday = day.adding(days: 4 - weekday)
        year = thursday.year
        number = (thursday.ordinal - 1) / 7 + 1
    }

    /// 202653: the form stored and sorted in the database.
    public init?(key: Int) {
        self.init(year: key / 100, number: key % 100)
    }

    /// "2026-W48" (ISO's own writing) or the stored key.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        if parts.count == 2, parts[1].first == "W", let y = Int(parts[0]), let n = Int(parts[1].dropFirst()) {
            self.init(year: y, number: n)
        } else if let key = Int(text) {
            self.init(key: key)
        } else {
            return nil
        }
    }

    public var key: Int { year * 100 + number }
    public var description: String { "\(year)-W\(number < 10 ? "0" : "")\(number)" }
    /// "2026年第48周" for pages.
    public var chineseName: String { "\(year)年第\(number)周" }

    /// Its Monday.
    public var monday: LocalDate {
        let jan4 = LocalDate(year: year, month: 1, day: 4)
        return jan4.adding(days: 1 - MarketWeek.weekday(jan4) + (number - 1) * 7)
    }

    public var sunday: LocalDate { monday.adding(days: 6) }

    public func adding(weeks: Int) -> MarketWeek { MarketWeek(monday.adding(days: 7 * weeks)) }

    /// The same week of an earlier or later year; week 53 falls back to 52 in a year without one.
    public func sameWeek(in other: Int) -> MarketWeek? {
        MarketWeek(year: other, number: min(number, MarketWeek.weeks(in: other)))
    }

    /// Whole weeks from `self` to `other` (negative when `other` is earlier).
    public func weeks(to other: MarketWeek) -> Int {
        (other.monday.ordinalSinceEpoch - monday.ordinalSinceEpoch) / 7
    }

    public static func < (a: MarketWeek, b: MarketWeek) -> Bool { a.key < b.key }

    /// 1 for Monday … 7 for Sunday (1970-01-01 was a Thursday).
    static func weekday(_ day: LocalDate) -> Int {
        let d = day.ordinalSinceEpoch
        return ((d + 3) % 7 + 7) % 7 + 1
    }

    /// 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday.
    public static func weeks(in year: Int) -> Int {
        MarketWeek(LocalDate(year: year, month: 12, day: 28)).number
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let w = MarketWeek(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a week"))
        }
        self = w
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
