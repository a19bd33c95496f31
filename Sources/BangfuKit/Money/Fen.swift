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

    /// "¥1,234.50" for pages.
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
        return "\(sign)¥\(whole)\(grouped).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Parses what people type into forms and spreadsheets: "90", "90元", "3.5", "1.2万", "1.2万元", "¥1,200".
    /// Returns nil for anything that is not an exact amount in 分 (e.g. "三元", "1.234").
    public static func parse(_ text: String) -> Fen? {
        var s = text.trimmed
        if s.contains(",") || s.contains("，") { s.removeAll { $0 == "," || $0 == "，" } }
        for prefix in ["¥", "￥"] where s.hasPrefix(prefix) { s.removeFirst(prefix.count) }
        if s.hasSuffix("元") { s.removeLast() }
        var scale: Int64 = 1
        if s.hasSuffix("万") { s.removeLast(); scale = 10_000 }
        // Integer arithmetic on the digits: exact, and cheap enough for a million rows an import.
        let negative = s.hasPrefix("-")
        if negative { s.removeFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 12, whole.allSatisfy({ $0.isASCII && $0.isNumber }), let w = Int64(whole) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.count <= 8, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var pow: Int64 = 1
        for _ in fraction { pow *= 10 }
        let f = Int64(fraction) ?? 0
        let fractionFen = f * 100 * scale
        guard fractionFen % pow == 0 else { return nil }          // finer than one 分
        let fen = w * 100 * scale + fractionFen / pow
        return Fen(negative ? -fen : fen)
    }
}
