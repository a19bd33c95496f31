import Foundation

/// 居民身份证号码 (GB 11643-1999): 17 digits and a check character (0-9 or X).
public struct ResidentID: Hashable, Sendable {
    public let value: String

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checks = Array("10X98765432")

    public init?(_ text: String) {
        let chars = Array(text.trimmed.uppercased())
        guard chars.count == 18, chars[..<17].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard chars[17] == Self.checkCharacter(for: String(chars[..<17])) else { return nil }
        guard Self.isValidBirthDate(String(chars[6..<14])) else { return nil }
        value = String(chars)
    }

    /// The check character for 17 digits.
    public static func checkCharacter(for first17: String) -> Character? {
        let digits = first17.compactMap(\.wholeNumberValue)
        guard digits.count == 17, first17.count == 17 else { return nil }
        return checks[zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11]
    }

    static func isValidBirthDate(_ s: String) -> Bool {
        guard let y = Int(s.prefix(4)), let m = Int(s.dropFirst(4).prefix(2)), let d = Int(s.suffix(2)),
              (1850...2100).contains(y), (1...12).contains(m) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }

    /// The first six digits: the issuing county's GB/T 2260 code.
    public var countyPrefix: String { String(value.prefix(6)) }
}
