/// Characters no person types and no form needs: the C0 and C1 controls (NUL among them) but tab and line breaks,
/// DEL, and the bidirectional overrides and isolates that make text read differently from what it holds
/// ("Trojan Source"). Input holding one is refused by name; sheet cells have them removed.
public enum TextHygiene {
    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        case 0xFFFE, 0xFFFF: true
        default: false
        }
    }

    public static func isClean(_ text: some StringProtocol) -> Bool {
        !text.unicodeScalars.contains(where: isForbidden)
    }

    /// The text without forbidden characters; the same string when it has none.
    public static func cleaned(_ text: String) -> String {
        guard !isClean(text) else { return text }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: text.unicodeScalars.filter { !isForbidden($0) })
        return String(kept)
    }

    public static func refusal(field: String) -> FieldError {
        FieldError(field: field, code: "control_character",
                   message: "“\(field)”含有不可见的控制字符或方向控制符，请删除后重试")
    }
}

extension StringProtocol {
    /// Whether any of `words` occurs in the text, compared byte for byte in UTF-8 (a match of whole characters, as
    /// UTF-8 never starts a character inside another), the text's bytes taken once for all of them: a seller's name
    /// is checked against eighteen words, twice a line of an import. Foundation's `contains` goes through NSString
    /// on Linux and the standard library's `firstRange(of:)` through generic searchers: either was most of a large
    /// import's time.
    public func includesAny(of words: some Sequence<String>) -> Bool {
        var text = String(self)
        return text.withUTF8 { t in
            words.contains { word in
                var word = word
                return word.withUTF8 { w in Self.occurs(w, in: t) }
            }
        }
    }

    private static func occurs(_ w: UnsafeBufferPointer<UInt8>, in t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !w.isEmpty else { return true }
        guard w.count <= t.count else { return false }
        for start in 0...(t.count - w.count) where t[start] == w[0] {
            var k = 1
            while k < w.count, t[start + k] == w[k] { k += 1 }
            if k == w.count { return true }
        }
        return false
    }
}
