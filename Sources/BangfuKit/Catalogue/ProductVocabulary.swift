/// 供货方式 of seed 003's 附件1.
public enum SupplyMethod: String, ChineseNamed {
    case online, delivery, pickup
    public var chineseName: String {
        switch self {
        case .online: "电商"
        case .delivery: "送货上门"
        case .pickup: "上门自提"
        }
    }
}

/// Categories that recur in the seeds, with a first guess from the variety's name.
public enum ProductCategory: String, ChineseNamed {
    case grain, vegetable, fruit, livestock, aquatic, tea, coffee, flower, nut, fungus, herb, processed, handicraft
    case tourism, other
    public var chineseName: String {
        switch self {
        case .grain: "粮食"
        case .vegetable: "蔬菜"
        case .fruit: "水果"
        case .livestock: "畜禽"
        case .aquatic: "水产"
        case .tea: "茶叶"
        case .coffee: "咖啡"
        case .flower: "花卉"
        case .nut: "坚果"
        case .fungus: "菌类"
        case .herb: "中药材"
        case .processed: "加工品"
        case .handicraft: "手工艺品"
        case .tourism: "乡村旅游/文旅服务"
        case .other: "其他"
        }
    }

    // Specific words first: 土豆 is a vegetable though it contains 豆.
    static let keywords: [(ProductCategory, [String])] = [
        (.vegetable, ["土豆", "洋芋", "马铃薯", "红薯", "萝卜", "白菜", "辣椒", "菜", "笋", "姜", "蒜", "葱", "魔芋"]),
        (.fruit, ["橙", "柑", "橘", "桔", "柚", "李", "桃", "梨", "苹果", "葡萄", "猕猴桃", "枇杷", "柿", "莓", "瓜"]),
        (.grain, ["米", "麦", "玉米", "荞", "高粱", "豆", "粮"]),
        (.livestock, ["猪", "牛", "羊", "鸡", "鸭", "鹅", "蛋", "腊肉", "肉"]),
        (.aquatic, ["鱼", "虾", "蟹"]),
        (.tea, ["茶"]),
        (.coffee, ["咖啡"]),
        (.fungus, ["菇", "菌", "木耳"]),
        (.nut, ["核桃", "板栗", "花生", "坚果"]),
        (.herb, ["天麻", "党参", "黄连", "中药", "药材", "金银花"]),
        (.processed, ["酱", "粉", "油", "酒", "干", "罐头", "蜂蜜"]),
        (.flower, ["花卉", "苗木"]),
    ]

    /// 土豆 → 蔬菜. Offices correct it by hand where the guess is wrong.
    public static func guess(for variety: String) -> ProductCategory {
        keywords.first { _, words in variety.includesAny(of: words) }?.0 ?? .other
    }
}

/// 三品一标 and other marks a product may carry.
public enum QualityMark: String, ChineseNamed {
    case geographicalIndication, green, organic, freshProduceList, hundredCounties
    public var chineseName: String {
        switch self {
        case .geographicalIndication: "地理标志"
        case .green: "绿色食品"
        case .organic: "有机产品"
        case .freshProduceList: "鲜活农产品品种目录"
        case .hundredCounties: "百县百品"
        }
    }
}

/// An offer not updated for a month is stale (seed 003: update at least monthly). The same cut-off
/// serves queries: an offer is fresh while `updated > freshSince(today)`.
public enum Freshness {
    public static func freshSince(_ today: LocalDate) -> LocalDate { today.adding(months: -1) }

    public static func isStale(updated: LocalDate, today: LocalDate) -> Bool { updated <= freshSince(today) }
}

/// Search terms for Chinese substring search without a tokenizer: every character and every
/// pair of adjacent characters. A query of two or more characters needs all its pairs.
public enum SearchTerms {
    public static func of(_ text: String) -> Set<String> {
        let chars = Array(normalise(text))
        var terms = Set(chars.map(String.init))
        for i in chars.indices.dropLast() { terms.insert(String(chars[i...i + 1])) }
        return terms
    }

    public static func query(_ text: String) -> [String] {
        let chars = Array(normalise(text))
        guard chars.count > 1 else { return chars.map(String.init) }
        return Array(Set(chars.indices.dropLast().map { String(chars[$0...$0 + 1]) })).sorted()
    }

    public static func normalise(_ text: String) -> String { text.lowercased().filter { !$0.isWhitespace } }
}
