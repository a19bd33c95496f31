import Foundation

/// An amount of money in 分 (1/100 元). Never a floating type: sums must be exact.
public struct Fen: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }
    public init(yuan: Int64) { self.value = yuan * 100 }

    public static let zero = Fen(0)
    public static func + (a: Fen, b: Fen) -> Fen { Fen(a.value + b.value) }
    public static func - (a: Fen, b: Fen) -> Fen { Fen(a.value - b.value) }
    public static func < (a: Fen, b: Fen) -> Bool { a.value < b.value }

    public init(from decoder: Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }

    /// "1234.50" — yuan with two decimals, as the seeds' forms print amounts.
    public var yuanString: String {
        let sign = value < 0 ? "-" : ""
        let a = value.magnitude
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// "90元", "1234.5元": an amount as the seeds' forms write it in a cell, reading back through `parse`.
    public var seedText: String { Decimals.format(value, scale: 100) + "元" }

    /// "1,234.50元" for pages: exact to the 分, grouped by thousands as Chinese financial tables write it.
    public var description: String {
        let sign = value < 0 ? "-" : ""
        let a = value.magnitude
        var whole = String(a / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        let cents = a % 100
        return "\(sign)\(whole)\(grouped).\(cents < 10 ? "0" : "")\(cents)元"
    }

    /// "12.35万元" for totals, targets and bulletins (from 1万元 up, rounded half up to the 百元); smaller
    /// amounts as `description`.
    public var wanText: String {
        guard value.magnitude >= 1_000_000 else { return description }
        let hundreds = (value.magnitude + 5_000) / 10_000          // 万元 with two decimals: whole 百元
        let sign = value < 0 ? "-" : ""
        let cents = hundreds % 100
        return "\(sign)\(hundreds / 100).\(cents < 10 ? "0" : "")\(cents)万元"
    }

    /// 12 digits of yuan, in 分, whether typed as yuan or as 万: a ledger of ten thousand such rows still sums
    /// inside an Int64, and what is read writes back as text that reads again.
    public static let maxFen: Int64 = 100_000_000_000_000

    /// Parses what people type into forms and spreadsheets: "90", "90元", "3.5", "1.2万", "1.2万元", "¥1,200".
    /// Returns nil for anything that is not an exact amount in 分 (e.g. "三元", "1.234").
    public static func parse(_ text: String) -> Fen? {
        // By Unicode scalars, not Characters (a grapheme break at every step), and by slicing, not removing (which
        // copies): what is left must be ASCII digits and a point either way.
        var s = Substring(text.trimmed).unicodeScalars
        if s.contains(where: { $0 == "," || $0 == "，" }) { s.removeAll { $0 == "," || $0 == "，" } }
        for sign: Unicode.Scalar in ["¥", "￥"] where s.first == sign { s = s.dropFirst() }
        if s.last == "元" { s = s.dropLast() }
        var places = 2
        if s.last == "万" {
            s = s.dropLast()
            places = 6
        }
        let negative = s.first == "-"
        if negative { s = s.dropFirst() }
        // Integer arithmetic on the digits: exact, and cheap enough for a million rows an import.
        // A 万 (ten thousand yuan) is a million 分.
        guard s.prefix(while: { $0 != "." }).count <= 12, let fen = Decimals.fixed(Substring(s), places: places),
              fen < maxFen else { return nil }
        return Fen(negative ? -fen : fen)
    }
}

extension Fen {
    /// The sum of amounts in 分, or nil when it would pass what money can hold (`maxFen`).
    public static func total(_ amounts: [Int64]) -> Int64? {
        var sum: Int64 = 0
        for a in amounts {
            let (next, overflow) = sum.addingReportingOverflow(a)
            guard !overflow, next < maxFen, next > -maxFen else { return nil }
            sum = next
        }
        return sum
    }

    /// `part` of `whole` in basis points (10,000 = all), in integers, truncated or rounded half up; nil without a
    /// whole.
    public static func shareBP(_ part: Int64, of whole: Int64, rounded: Bool = false) -> Int? {
        guard whole > 0, part >= 0, part <= whole else { return nil }
        let (high, low) = part.multipliedFullWidth(by: 10_000)
        let (q, r) = whole.dividingFullWidth((high, low))
        return Int(q) + (rounded && r >= whole - r ? 1 : 0)
    }
}

