/// 产销对接: a buyer's need (采购需求) answered by the catalogue. One pure rule ranks the offers that can serve it:
/// certified, valid and fresh offers of the variety, in stock, within the price ceiling; paired or helped places
/// first, then 原深度贫困 places, then the rest; within a tier the requested quality marks, then the price.
public enum NeedMatching {
    /// What a buyer asks for.
    public struct Need: Sendable, Equatable {
        public let variety: String
        public let quantity: Quantity
        public let priceCeiling: Fen?
        public let certifiedOnly: Bool
        /// The places the buyer helps or is paired with (its 结对/帮扶 places), served first.
        public let helpedPlaces: [RegionCode]
        public let marks: Set<QualityMark>
        public init(variety: String, quantity: Quantity, priceCeiling: Fen? = nil, certifiedOnly: Bool = true,
                    helpedPlaces: [RegionCode] = [], marks: Set<QualityMark> = []) {
            self.variety = variety; self.quantity = quantity; self.priceCeiling = priceCeiling
            self.certifiedOnly = certifiedOnly; self.helpedPlaces = helpedPlaces; self.marks = marks
        }
    }

    /// An offer as the matcher sees it.
    public struct Offer: Sendable, Equatable {
        public let id: Int
        public let variety: String
        public let place: RegionCode
        public let deepPoverty: Bool
        public let certified: Bool
        public let fresh: Bool
        /// What is left to sell (planned quantity less what orders have reserved), in the offer's unit.
        public let stock: Quantity
        public let price: UnitPrice
        public let marks: Set<QualityMark>
        /// Its category (蔬菜, 粮油): a need may name a category instead of a variety.
        public let category: String
        public init(id: Int, variety: String, place: RegionCode, deepPoverty: Bool, certified: Bool, fresh: Bool,
                    stock: Quantity, price: UnitPrice, marks: Set<QualityMark> = [], category: String = "") {
            self.id = id; self.variety = variety; self.place = place; self.deepPoverty = deepPoverty
            self.certified = certified; self.fresh = fresh; self.stock = stock; self.price = price; self.marks = marks
            self.category = category
        }
    }

    /// Why an offer stands where it does: the tier, then the marks it has of those asked, then the price.
    public enum Tier: Int, Sendable, Comparable, Codable {
        case helped = 1, deepPoverty, other
        public static func < (a: Tier, b: Tier) -> Bool { a.rawValue < b.rawValue }
        public var chineseName: String { ["结对/帮扶地区", "原深度贫困地区", "其他地区"][rawValue - 1] }
    }

    public struct Match: Sendable, Equatable {
        public let offerID: Int
        public let tier: Tier
        public let marksMatched: Int
        /// Its price against the market price (basis points; 10,000 = the market), when a market price is known.
        public let priceAgainstMarketBP: Int?
        /// How much this offer can take of the need (all of it, or what its stock allows).
        public let covers: Quantity
        /// In words, for the page: "结对/帮扶地区 · 地理标志 · 低于市场价8%".
        public let reasons: [String]
    }

    /// The offers that can serve the need, best first. `market`: the variety's recent price per unit, if known.
    public static func rank(_ need: Need, _ offers: [Offer], market: Fen? = nil) -> [Match] {
        let serving = offers.filter { usable($0, for: need) }
        let matches = serving.map { o -> Match in
            let helped = need.helpedPlaces.contains { $0.contains(o.place) }
            let tier: Tier = helped ? .helped : o.deepPoverty ? .deepPoverty : .other
            let marks = o.marks.intersection(need.marks)
            let versus = market.flatMap { m in m.value > 0 ? Int(o.price.fen.value * 10_000 / m.value) : nil }
            var reasons = [tier.chineseName]
            reasons += marks.sorted { $0.rawValue < $1.rawValue }.map(\.chineseName)
            if let versus { reasons.append(priceWords(versus)) }
            if o.stock.thousandths < need.quantity.thousandths {
                reasons.append("库存\(o.stock)，需与其他供方拼单")
            }
            let take = min(o.stock.thousandths, need.quantity.thousandths)
            return Match(offerID: o.id, tier: tier, marksMatched: marks.count, priceAgainstMarketBP: versus,
                         covers: Quantity(thousandths: take, unit: need.quantity.unit), reasons: reasons)
        }
        let price = Dictionary(uniqueKeysWithValues: serving.map { ($0.id, $0.price.fen.value) })
        func key(_ m: Match) -> (Tier, Int, Int64, Int) { (m.tier, -m.marksMatched, price[m.offerID] ?? 0, m.offerID) }
        return matches.sorted { key($0) < key($1) }
    }

    /// Whether an offer can serve the need at all: its variety or category, fresh, certified when asked, in stock
    /// in the need's unit, within the ceiling.
    public static func usable(_ o: Offer, for need: Need) -> Bool {
        (o.variety == need.variety || o.category == need.variety) && o.fresh && (o.certified || !need.certifiedOnly)
            && o.stock.unit == need.quantity.unit && o.stock.thousandths > 0
            && (o.price.unit == nil || o.price.unit == need.quantity.unit)
            && need.priceCeiling.map { o.price.fen <= $0 } ?? true
    }

    /// The need split across the ranked offers, best first, until it is covered (nil when all of them cannot).
    public static func split(_ need: Need, _ ranked: [Match]) -> [(offerID: Int, quantity: Quantity)]? {
        var left = need.quantity.thousandths, parts: [(Int, Quantity)] = []
        for m in ranked where left > 0 {
            let take = min(left, m.covers.thousandths)
            parts.append((m.offerID, Quantity(thousandths: take, unit: need.quantity.unit)))
            left -= take
        }
        return left == 0 ? parts : nil
    }

    static func priceWords(_ bp: Int) -> String {
        let diff = bp - 10_000
        if abs(diff) < 100 { return "与市场价持平" }
        return diff < 0 ? "低于市场价\((-diff + 50) / 100)%" : "高于市场价\((diff + 50) / 100)%"
    }
}
