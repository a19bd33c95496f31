import Foundation

/// Periods, deadlines and 序时进度 are reckoned in China Standard Time, whatever the server's zone.
public enum ShanghaiCalendar {
    public static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    public static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        c.locale = Locale(identifier: "zh_CN")
        return c
    }()

    public static func date(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 0, _ min: Int = 0) -> Date {
        calendar.date(from: DateComponents(year: y, month: m, day: d, hour: h, minute: min))!
    }

    /// The local calendar day of an instant.
    public static func day(of instant: Date) -> LocalDate {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)
    }

    /// "2026-11-23 14:05" in Shanghai time, for pages and exports.
    public static func format(_ instant: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }
}

/// A calendar day with no time or zone: what forms mean by "2019.9.1".
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// Accepts 2019-09-01, 2019.9.1, 2019/9/1, 2019年9月1日 and 20190901; nil for impossible dates.
    /// Read scalar by scalar (an import reads a date a row): numbers between the separators, nothing else.
    public init?(_ text: String) {
        var parts: [Int] = [], number = 0, digits = 0, lastDigits = 0
        for c in text.trimmed.unicodeScalars {
            switch c {
            case "0"..."9":
                guard digits < 8 else { return nil }
                number = number * 10 + Int(c.value - 48); digits += 1
            case "-", ".", "/", "年", "月", "日":
                if digits > 0 { parts.append(number); lastDigits = digits }
                number = 0; digits = 0
            default: return nil
            }
        }
        if digits > 0 { parts.append(number); lastDigits = digits }
        if parts.count == 1, lastDigits == 8 { parts = [parts[0] / 10_000, parts[0] / 100 % 100, parts[0] % 100] }
        guard parts.count == 3, case let (y, m, d) = (parts[0], parts[1], parts[2]),
              (1900...2200).contains(y), (1...12).contains(m), (1...LocalDate.days(inMonth: m, year: y)).contains(d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    public static func days(inMonth m: Int, year y: Int) -> Int {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    /// 1-based day of the year.
    public var ordinal: Int { (1..<month).reduce(0) { $0 + LocalDate.days(inMonth: $1, year: year) } + day }
    public var quarter: Int { (month - 1) / 3 + 1 }
    /// "2026-09-30", built by hand: `String(format:)` goes through Foundation's locale machinery, and an import
    /// writes two of these a row.
    public var description: String { "\(year.padded(4))-\(month.padded(2))-\(day.padded(2))" }

    /// The instant this day starts in Shanghai.
    public var startInstant: Date { ShanghaiCalendar.date(year, month, day) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let d = LocalDate(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad date"))
        }
        self = d
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// 序时进度: the share of the year elapsed at the end of a given day, in basis points (1/10000),
/// so that "on pace" comparisons stay exact integers.
public enum YearPace {
    public static func basisPoints(through day: LocalDate) -> Int {
        let total = LocalDate.isLeap(day.year) ? 366 : 365
        return day.ordinal * 10_000 / total
    }
}

extension Int {
    /// The number in decimal, zero-padded on the left to `width` digits.
    func padded(_ width: Int) -> String {
        let digits = String(self)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
