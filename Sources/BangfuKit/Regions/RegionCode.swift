/// A 12-digit 统计用区划代码: 2 province + 2 city + 2 county + 3 township + 3 village digits.
public struct RegionCode: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let digits: String

    public enum Level: Int, Comparable, Sendable, Codable, CaseIterable {
        case province = 1, city, county, township, village
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        /// 省/市/县/乡镇/村
        public var chineseName: String { ["省", "市", "县", "乡镇", "村"][rawValue - 1] }
        /// How many leading digits identify a region of this level.
        public var prefixLength: Int { [2, 4, 6, 9, 12][rawValue - 1] }
    }

    /// Accepts 12 digits, or the 6- or 9-digit forms (padded with zeros). A zero part may stand above a
    /// non-zero one: 中山市's towns (442000100000) and Macau's parishes (820001000000) are real codes.
    public init?(_ text: String) {
        let t = text.trimmed
        guard t.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }     // by bytes: codes are read by the million
        switch t.utf8.count {
        case 12: digits = t
        case 6, 9: digits = t + String(repeating: "0", count: 12 - t.utf8.count)
        default: return nil
        }
        guard !digits.utf8.starts(with: [0x30, 0x30]) else { return nil }
    }

    private init(checked digits: String) { self.digits = digits }

    public var level: Level {
        switch digits.utf8.reversed().prefix(while: { $0 == 0x30 }).count {
        case 10...: .province
        case 8...: .city
        case 6...: .county
        case 3...: .township
        default: .village
        }
    }

    /// The significant leading digits: every code in this region's subtree starts with them.
    public var subtreePrefix: String { String(digits.prefix(level.prefixLength)) }

    public func contains(_ other: RegionCode) -> Bool { other.digits.hasPrefix(subtreePrefix) }

    /// This region and every region above it, nearest first: where a setting or a list is looked up.
    public var selfAndAncestors: [RegionCode] { [self] + Level.allCases.reversed().compactMap { ancestor(at: $0) } }

    /// The code of the enclosing region at `level` (nil if that is not above this one).
    public func ancestor(at level: Level) -> RegionCode? {
        guard level < self.level else { return nil }
        let head = digits.prefix(level.prefixLength)
        return RegionCode(checked: head + String(repeating: "0", count: 12 - head.count))
    }

    /// The nominal parent (one level up). Real trees may skip a level (直辖市's counties sit under
    /// 市辖区/县 pseudo-cities), so importers resolve parents against the codes they hold.
    public var nominalParent: RegionCode? {
        guard let up = Level(rawValue: level.rawValue - 1) else { return nil }
        return ancestor(at: up)
    }

    /// The lowest region holding every one of `codes` (their longest shared level prefix), nil if none or no codes.
    public static func commonAncestor(of codes: [String]) -> RegionCode? {
        let regions = codes.compactMap(RegionCode.init)
        guard let first = regions.first, regions.count == codes.count else { return nil }
        let levels = Level.allCases.reversed().filter { $0 <= regions.map(\.level).min()! }
        for level in levels {
            let head = first.digits.prefix(level.prefixLength)
            if regions.allSatisfy({ $0.digits.hasPrefix(head) }) {
                return RegionCode(checked: head + String(repeating: "0", count: 12 - head.count))
            }
        }
        return nil
    }

    public var description: String { digits }
    public static func < (a: RegionCode, b: RegionCode) -> Bool { a.digits < b.digits }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let c = RegionCode(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad region code"))
        }
        self = c
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(digits)
    }
}
