import Foundation

/// An amount of goods with its unit, as forms write it: "30斤", "2.5吨", "100 箱".
/// Kept in thousandths so that "2.5" stays exact.
public struct Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
    public let thousandths: Int64
    public let unit: String

    public init(thousandths: Int64, unit: String) { self.thousandths = thousandths; self.unit = unit }

    /// nil for text that is not a positive number followed by a unit ("三十斤", "-5斤", "30").
    public static func parse(_ text: String) -> Quantity? {
        let t = text.trimmed
        guard var (number, rest) = Decimals.leadingNumber(t), number > 0 else { return nil }
        // "100万斤" is a million 斤, as "1.2万元" is an amount; a bare "3万" stays three of 万.
        if rest.hasPrefix("万"), !rest.dropFirst().trimmed.isEmpty {
            // Within what `leadingNumber` reads back (15 whole digits),
            // so the quantity writes as text that reads again.
            let (wan, overflow) = number.multipliedReportingOverflow(by: 10_000)
            guard !overflow, wan < 1_000_000_000_000_000_000 else { return nil }
            (number, rest) = (wan, String(rest.dropFirst()))
        }
        let unit = rest.trimmed
        // A unit starting with a point would write back as "9." and not read again.
        guard Self.isUnit(unit), !unit.contains(where: { $0.isNumber }), unit.unicodeScalars.first != "."
        else { return nil }
        return Quantity(thousandths: number, unit: unit)
    }

    /// A unit is a short word: no control character, space or line break inside (which trimming would treat one
    /// way on reading and another on writing back), and no combining mark to start it.
    public static func isUnit(_ unit: String) -> Bool {
        guard !unit.isEmpty, unit.count <= 6, let first = unit.unicodeScalars.first, !first.isMark else { return false }
        return !unit.unicodeScalars.contains { $0.isSpace || $0.isControl }
    }

    public var amountText: String { Decimals.format(thousandths, scale: 1000) }
    public var description: String { amountText + unit }
}

/// A price per unit: "3元/斤", "3.5元/公斤", or a bare "3" when the unit is implied by the quantity.
public struct UnitPrice: Hashable, Sendable, Codable, CustomStringConvertible {
    public let fen: Fen
    public let unit: String?

    public init(fen: Fen, unit: String?) { self.fen = fen; self.unit = unit }

    public static func parse(_ text: String) -> UnitPrice? {
        let parts = text.trimmed.split(maxSplits: 1) { $0 == "/" || $0 == "／" }.map { $0.trimmed }
        guard let money = parts.first, let fen = Fen.parse(money), fen > .zero else { return nil }
        let unit = parts.count == 2 ? parts[1] : nil
        if let unit, !Quantity.isUnit(unit) { return nil }
        return UnitPrice(fen: fen, unit: unit)
    }

    /// "4.5元/斤", as forms write it (no padding zeros).
    public var description: String { Decimals.format(fen.value, scale: 100) + "元" + (unit.map { "/\($0)" } ?? "") }
}

/// "李xx 17723635558" — a supply contact's name and phone in one cell.
public struct Contact: Hashable, Sendable, Codable {
    public let name: String
    public let phone: String

    public init(name: String, phone: String) { self.name = name; self.phone = phone }

    /// A name is trimmed of separators and of white space of every kind, or a tab after "：" would stay in it.
    private static func isNamePart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "：", ":", "，", ",", "、": false
        default: !scalar.isSpace
        }
    }

    /// Read scalar by scalar: Foundation's trimming and `Character`'s properties were a tenth of a re-import.
    public static func parse(_ text: String) -> Contact? {
        let t = text.trimmed.unicodeScalars
        guard let start = t.firstIndex(where: \.isASCIIDigit) else { return nil }
        let head = t[..<start]
        guard let first = head.firstIndex(where: isNamePart), let last = head.lastIndex(where: isNamePart)
        else { return nil }
        let name = String(head[first...last])
        var digits: [UInt8] = []
        for scalar in t[start...] where !scalar.isSpace && scalar != "-" {
            guard scalar.isASCIIDigit, digits.count < 12 else { return nil }
            digits.append(UInt8(scalar.value))
        }
        guard name.count <= 20, digits.count >= 7 else { return nil }
        return Contact(name: name, phone: String(decoding: digits, as: UTF8.self))
    }
}

enum Decimals {
    /// The leading decimal number of a text in thousandths, and what follows it.
    static func leadingNumber(_ text: String) -> (Int64, String)? {
        let digits = text.utf8.prefix { $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard let number = fixed(Substring(digits), places: 3, trailingPoint: true) else { return nil }
        return (number, String(text.utf8.dropFirst(digits.count))!)
    }

    /// A plain decimal ("12", "3.05") as a whole number of 10⁻`places` units, in integers: nil when it is not such a
    /// number, is finer than that ("1.234" for two places) or has more digits before the point than 18 − `places`
    /// (so that the result always fits in an Int64). `trailingPoint` takes "12." as 12.
    static func fixed(_ text: Substring, places: Int, trailingPoint: Bool = false) -> Int64? {
        var whole: Int64 = 0, fraction: Int64 = 0, wholeDigits = 0, fractionDigits = 0, point = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard !point else { return nil }
                point = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            if !point {
                wholeDigits += 1
                guard wholeDigits <= 18 - places else { return nil }
                whole = whole * 10 + digit
            } else {
                fractionDigits += 1
                if fractionDigits <= places { fraction = fraction * 10 + digit } else if digit != 0 { return nil }
            }
        }
        guard wholeDigits > 0, !point || fractionDigits > 0 || trailingPoint else { return nil }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        for _ in min(fractionDigits, places)..<places { fraction *= 10 }
        return whole * scale + fraction
    }

    static func format(_ value: Int64, scale: Int64) -> String {
        let sign = value < 0 ? "-" : "", m = value.magnitude, s = UInt64(scale)
        let whole = m / s, frac = m % s
        guard frac != 0 else { return sign + String(whole) }
        var f = String(frac + s).dropFirst()
        while f.hasSuffix("0") { f.removeLast() }
        return "\(sign)\(whole).\(f)"
    }
}
