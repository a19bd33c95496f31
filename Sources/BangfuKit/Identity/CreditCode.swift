/// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-letter alphabet, the last a check character.
public struct CreditCode: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public init?(_ text: String) {
        let chars = Array(text.trimmed.uppercased())
        guard chars.count == 18, chars[17] == Self.checkCharacter(for: String(chars[..<17])) else { return nil }
        value = String(chars)
    }

    /// The check character for the first 17 characters, or nil if they are not of the alphabet.
    public static func checkCharacter(for first17: String) -> Character? {
        let chars = Array(first17)
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (c, w) in zip(chars, weights) {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            sum += v * w
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// Digits 3–8: the registering authority's 6-digit region code.
    public var regionPrefix: String { String(value.dropFirst(2).prefix(6)) }
    public var description: String { value }
}
