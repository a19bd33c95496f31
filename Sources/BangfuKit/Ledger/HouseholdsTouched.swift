/// 带动户数: how many 脱贫户 a cooperative's row involves, as offices write it in 备注 (seed 003): "合作社，带动贫困户
/// 12户", "涉及贫困户12户", "合作社(12户)". Benefit attribution then counts 12 households, not one.
public enum HouseholdsTouched: Equatable, Sendable {
    case count(Int)
    /// The note names an organisation but no number: reported, not silently counted as one household.
    case organisationWithoutCount
    case unsaid

    static let organisationWords = ["合作社", "公司", "企业", "基地", "带动", "涉及"]
    /// A county's cooperative does not bind more households than this; a larger number is a typing slip.
    static let most = 100_000

    public static func read(_ note: String) -> HouseholdsTouched {
        if let n = firstCountBeforeHu(note) { return .count(n) }
        return note.includesAny(of: organisationWords) ? .organisationWithoutCount : .unsaid
    }

    /// The first run of digits (half- or full-width) followed, after optional spaces, by 户.
    static func firstCountBeforeHu(_ note: String) -> Int? {
        let chars = Array(note)
        var i = 0
        while i < chars.count {
            guard digit(chars[i]) != nil else { i += 1; continue }
            var value = 0, j = i
            while j < chars.count, let d = digit(chars[j]) {
                value = min(value * 10 + d, most + 1)
                j += 1
            }
            var k = j
            while k < chars.count, chars[k] == " " || chars[k] == "　" { k += 1 }
            if k < chars.count, chars[k] == "户", (1...most).contains(value) { return value }
            i = j
        }
        return nil
    }

    static func digit(_ c: Character) -> Int? {
        guard let s = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return nil }
        switch s.value {
        case 0x30...0x39: return Int(s.value - 0x30)
        case 0xFF10...0xFF19: return Int(s.value - 0xFF10)
        default: return nil
        }
    }
}
