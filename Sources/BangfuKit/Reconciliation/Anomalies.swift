/// 台账异常 (seed 004: 真实过硬, 经得起考核和普查): rules over a period's ledger rows, each a rule kept as data with its
/// threshold, each flag saying in words and figures why it fired and naming the rows behind it. Flags never change a
/// total; an office resolves them.
public enum Anomalies {
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case priceOutlier, yearEndRush, justUnderThreshold, roundNumbers, twinReports, oneHousehold, uncertified
        case beyondSupply
        public var chineseName: String {
            switch self {
            case .priceOutlier: "单价异常"
            case .yearEndRush: "年底突击采购"
            case .justUnderThreshold: "金额集中在限额以下"
            case .roundNumbers: "整数金额集中"
            case .twinReports: "同一采购多处上报"
            case .oneHousehold: "帮扶地采购集中于一户"
            case .uncertified: "非认定产品"
            case .beyondSupply: "超出供给能力"
            }
        }
    }

    /// A jurisdiction's thresholds (defaults as DHIS2 and audit practice use them).
    public struct Thresholds: Sendable, Codable, Equatable {
        /// Modified z-score beyond which a unit price is an outlier.
        public var priceScore = 3.5
        /// …and at least this far from the median (basis points of it: 2,000 = 20%).
        public var priceGapBP = 2_000
        /// December above this many times the unit's monthly median.
        public var yearEndTimes = 3.0
        /// An approval limit (元) below which split purchases gather; rows within 10% under it count.
        public var limitYuan: Int64 = 5_000
        public var justUnderRows = 3
        /// Share of a unit's rows in whole thousands of yuan, over at least `roundMinimumRows` rows.
        public var roundShareBP = 5_000
        public var roundMinimumRows = 10
        /// A seller's rows of a variety above this many times its offers' planned quantity.
        public var supplyTimes = 1.5
        /// What one household may plausibly sell of one variety in the period (元).
        public var householdYuan: Int64 = 50_000
        public init() {}

        /// Thresholds stored before a rule existed read with that rule's default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Thresholds()
            priceScore = try c.decodeIfPresent(Double.self, forKey: .priceScore) ?? d.priceScore
            priceGapBP = try c.decodeIfPresent(Int.self, forKey: .priceGapBP) ?? d.priceGapBP
            yearEndTimes = try c.decodeIfPresent(Double.self, forKey: .yearEndTimes) ?? d.yearEndTimes
            limitYuan = try c.decodeIfPresent(Int64.self, forKey: .limitYuan) ?? d.limitYuan
            justUnderRows = try c.decodeIfPresent(Int.self, forKey: .justUnderRows) ?? d.justUnderRows
            roundShareBP = try c.decodeIfPresent(Int.self, forKey: .roundShareBP) ?? d.roundShareBP
            roundMinimumRows = try c.decodeIfPresent(Int.self, forKey: .roundMinimumRows) ?? d.roundMinimumRows
            supplyTimes = try c.decodeIfPresent(Double.self, forKey: .supplyTimes) ?? d.supplyTimes
            householdYuan = try c.decodeIfPresent(Int64.self, forKey: .householdYuan) ?? d.householdYuan
        }
    }

    /// What a seller could supply of a variety: its offers' planned quantity (in the offers' unit), and whether the
    /// seller is one household.
    public struct Supply: Sendable, Equatable {
        public let planned: Quantity?
        public let household: Bool
        public init(planned: Quantity?, household: Bool) { self.planned = planned; self.household = household }

        /// The key rows are grouped under: seller and variety.
        public static func key(seller: String, variety: String) -> String { "\(seller)|\(variety)" }
    }

    public struct Row: Sendable, Equatable {
        public let id: Int, buyer: Int, seller: String, month: String, variety: String, unit: String
        public let amount: Fen, quantityThousandths: Int64
        public let twinOf: Int?
        /// Bought from a place the buyer is paired with (its 帮扶 places).
        public let helped: Bool
        public init(id: Int, buyer: Int, seller: String, month: String, variety: String, unit: String, amount: Fen,
                    quantityThousandths: Int64, twinOf: Int? = nil, helped: Bool = false) {
            self.id = id; self.buyer = buyer; self.seller = seller; self.month = month; self.variety = variety
            self.unit = unit; self.amount = amount; self.quantityThousandths = quantityThousandths; self.twinOf = twinOf
            self.helped = helped
        }
    }

    public struct Flag: Sendable, Equatable {
        public let rule: Rule
        /// What the flag is about, stable across runs ("row:17", "unit:3:2026", "pair:3:ab12").
        public let key: String
        public let rows: [Int]
        public let reason: String
        public init(rule: Rule, key: String, rows: [Int], reason: String) {
            self.rule = rule; self.key = key; self.rows = rows; self.reason = reason
        }
    }

    /// Rules that read a month's rows of a variety (`prices`, and the row-level twins) and rules that read a
    /// buyer's or a seller's rows of the period: an incremental scan reads each set for what changed.
    public static let monthRules: Set<Rule> = [.priceOutlier, .twinReports]
    public static let partyRules: Set<Rule> = [.yearEndRush, .justUnderThreshold, .roundNumbers, .oneHousehold,
                                               .beyondSupply]

    public static func scan(_ rows: [Row], _ t: Thresholds = Thresholds(), supply: [String: Supply] = [:],
                            rules: Set<Rule> = Set(Rule.allCases)) -> [Flag] {
        var out: [Flag] = []
        if rules.contains(.priceOutlier) { out += prices(rows, t) }
        if rules.contains(.yearEndRush) { out += yearEnd(rows, t) }
        if rules.contains(.justUnderThreshold) { out += justUnder(rows, t) }
        if rules.contains(.roundNumbers) { out += round(rows, t) }
        if rules.contains(.twinReports) { out += twins(rows) }
        if rules.contains(.oneHousehold) { out += oneSeller(rows, t) }
        if rules.contains(.beyondSupply) { out += beyond(rows, supply, t) }
        return out
    }

    /// A seller's rows of a variety beyond what it offered (more than `supplyTimes` its planned quantity), or a
    /// single household selling more than `householdYuan` of one variety.
    static func beyond(_ rows: [Row], _ supply: [String: Supply], _ t: Thresholds) -> [Flag] {
        Dictionary(grouping: rows, by: { Supply.key(seller: $0.seller, variety: $0.variety) })
            .compactMap { key, group -> Flag? in
                guard let s = supply[key] else { return nil }
                let ids = group.map(\.id).sorted(), variety = group[0].variety
                let amount = group.reduce(0.0) { $0 + Double($1.amount.value) } / 100
                if s.household, amount > Double(t.householdYuan) {
                    return Flag(rule: .beyondSupply, key: "seller:\(key)", rows: ids,
                                reason: "同一农户的“\(variety)”记录\(group.count)笔共\(yuan(amount))元，"
                                    + "超过一户合理供给\(t.householdYuan)元")
                }
                guard let planned = s.planned, planned.thousandths > 0 else { return nil }
                let sold = group.filter { $0.unit == planned.unit }
                    .reduce(0.0) { $0 + Double($1.quantityThousandths) }
                let times = sold / Double(planned.thousandths)
                guard times > t.supplyTimes else { return nil }
                return Flag(rule: .beyondSupply, key: "seller:\(key)", rows: ids,
                            reason: "卖方“\(variety)”计划供应\(planned)，台账已记\(yuan(sold / 1_000))\(planned.unit)，"
                                + "为计划的\(yuan(times))倍（阈值\(t.supplyTimes)倍）")
            }.sorted { $0.key < $1.key }
    }

    /// Unit prices far from the month's prices of the same variety and unit.
    static func prices(_ rows: [Row], _ t: Thresholds) -> [Flag] {
        let groups = Dictionary(grouping: rows.filter { $0.quantityThousandths > 0 }) {
            "\($0.month)|\($0.variety)|\($0.unit)"
        }
        return groups.values.flatMap { group -> [Flag] in
            // Yuan per unit to a hundredth of a 分: equal prices compare equal, not a float's last digit apart (which
            // would make the MAD a rounding error and every score astronomical).
            let prices = group.map {
                (Double($0.amount.value) * 1_000 / Double($0.quantityThousandths)).rounded() / 100
            }
            guard let z = RobustScore.scores(prices), let median = RobustScore.median(prices) else { return [] }
            // A score alone flags a cent's difference where nearly every price is the same (a tiny MAD): the price
            // must also stand `priceGapBP` away from the median.
            let far = { (p: Double) in abs(p - median) * 10_000 >= median * Double(t.priceGapBP) }
            return zip(group, zip(prices, z)).filter { abs($0.1.1) > t.priceScore && far($0.1.0) }.map { r, pz in
                Flag(rule: .priceOutlier, key: "row:\(r.id)", rows: [r.id],
                     reason: "单价\(yuan(pz.0))元/\(r.unit)，\(r.month)同品种中位数\(yuan(median))元/\(r.unit)，"
                        + "偏离评分\(yuan(pz.1))（阈值\(t.priceScore)）")
            }
        }.sorted { $0.key < $1.key }
    }

    /// A unit's December far above its own monthly median.
    static func yearEnd(_ rows: [Row], _ t: Thresholds) -> [Flag] {
        Dictionary(grouping: rows, by: { "\($0.buyer)|\($0.month.prefix(4))" }).compactMap { key, group -> Flag? in
            let months = Dictionary(grouping: group,
                by: \.month).mapValues { $0.reduce(0.0) { $0 + Double($1.amount.value) } }
            guard let december = months.first(where: { $0.key.hasSuffix("-12") }), months.count >= 4,
                  let median = RobustScore.median(months.filter { !$0.key.hasSuffix("-12") }.map(\.value)), median > 0,
                  december.value > median * t.yearEndTimes else { return nil }
            let ids = group.filter { $0.month == december.key }.map(\.id).sorted()
            return Flag(rule: .yearEndRush, key: "unit:\(key)", rows: ids,
                        reason: "12月采购\(yuan(december.value / 100))元，为本单位月中位数\(yuan(median / 100))元的"
                            + "\(yuan(december.value / median))倍（阈值\(t.yearEndTimes)倍）")
        }.sorted { $0.key < $1.key }
    }

    /// Several rows between one buyer and one seller just under the approval limit.
    static func justUnder(_ rows: [Row], _ t: Thresholds) -> [Flag] {
        let limit = t.limitYuan * 100, floor = limit - limit / 10
        return Dictionary(grouping: rows.filter { $0.amount.value >= floor && $0.amount.value < limit },
                          by: { "\($0.buyer)|\($0.seller)" })
            .filter { $0.value.count >= t.justUnderRows }
            .map { key, group in
                Flag(rule: .justUnderThreshold, key: "pair:\(key)", rows: group.map(\.id).sorted(),
                     reason: "同一单位与同一卖方有\(group.count)笔金额在\(t.limitYuan)元限额以下10%以内")
            }.sorted { $0.key < $1.key }
    }

    /// A unit most of whose rows are whole thousands of yuan.
    static func round(_ rows: [Row], _ t: Thresholds) -> [Flag] {
        Dictionary(grouping: rows, by: \.buyer).compactMap { buyer, group -> Flag? in
            let whole = group.filter { $0.amount.value > 0 && $0.amount.value % 100_000 == 0 }
            guard group.count >= t.roundMinimumRows, whole.count * 10_000 >= group.count * t
                .roundShareBP else { return nil }
            return Flag(rule: .roundNumbers, key: "unit:\(buyer)", rows: whole.map(\.id).sorted(),
                        reason: "本单位\(group.count)笔中\(whole.count)笔为整千元金额（阈值\(t.roundShareBP / 100)%）")
        }.sorted { $0.key < $1.key }
    }

    /// A unit whose purchases from its helped places all come from one seller (at least `justUnderRows` of them).
    static func oneSeller(_ rows: [Row], _ t: Thresholds) -> [Flag] {
        Dictionary(grouping: rows.filter(\.helped), by: \.buyer).compactMap { buyer, group -> Flag? in
            guard group.count >= t.justUnderRows, Set(group.map(\.seller)).count == 1 else { return nil }
            return Flag(rule: .oneHousehold, key: "unit:\(buyer)", rows: group.map(\.id).sorted(),
                        reason: "本单位在帮扶地的\(group.count)笔采购都来自同一卖方")
        }.sorted { $0.key < $1.key }
    }

    /// The ledger's suspected twins, shown among the flags too.
    static func twins(_ rows: [Row]) -> [Flag] {
        rows.compactMap { r in
            r.twinOf.map { Flag(rule: .twinReports, key: "row:\(r.id)", rows: [$0, r.id],
                                reason: "与记录#\($0)疑似同一采购（同一单位、卖方、品种、金额，日期相近）") }
        }
    }

    /// A figure to two places, without padding zeros ("4.5", "30.35", "9").
    static func yuan(_ x: Double) -> String {
        let hundredths = (x * 100).rounded()
        guard hundredths.isFinite, abs(hundredths) < 1e17 else { return "—" }
        return Decimals.format(Int64(hundredths), scale: 100)
    }
}
