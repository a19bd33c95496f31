extension StringProtocol {
    /// The text without leading and trailing white space (Unicode's, so the full-width 　 too). Foundation's
    /// `trimmingCharacters(in:)` bridges through NSString and was a tenth of a million-row import's time.
    public var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isSpace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isSpace })!
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex, let same = self as? String { return same }
        return String(self[first...last])
    }
}

extension Unicode.Scalar {
    /// Unicode's White_Space, listed: asking `properties` looks the scalar up in tables, for every cell of an import.
    var isSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    var isASCIIDigit: Bool { (0x30...0x39).contains(value) }

    /// Control or format (Cc, Cf): what Foundation's `controlCharacters` holds, without its bridging.
    var isControl: Bool { [.control, .format].contains(properties.generalCategory) }

    /// A combining mark (M*), which cannot start a word.
    var isMark: Bool { [.nonspacingMark, .spacingMark, .enclosingMark].contains(properties.generalCategory) }
}
