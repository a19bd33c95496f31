/// 三方对账 (seed 003 三(三)): a township's sales (附件2), a lead unit's purchases (附件3) and the carriers' waybills
/// are matched as banks reconcile statements — block, score, propose, let an office confirm. One pure rule here;
/// the app feeds it a quarter's rows and keeps the office's decisions.
public enum Reconciliation {
    /// Where a purchase row came from; rows of different sources confirm each other, rows of one source do not.
    public enum Source: String, Sendable, Codable, CaseIterable {
        case township, leadUnit, platform, manual, order
    }

    /// A ledger row as the matcher sees it.
    public struct Purchase: Sendable, Equatable {
        public let id: Int
        public let source: Source
        public let buyer: Int
        /// The origin's township (its 9-digit prefix): rows are only compared within one.
        public let township: String
        public let day: LocalDate
        public let amount: Fen
        public let quantity: Quantity?
        public let variety: String
        public init(id: Int, source: Source, buyer: Int, township: String, day: LocalDate, amount: Fen,
                    quantity: Quantity?, variety: String) {
            self.id = id; self.source = source; self.buyer = buyer; self.township = township; self.day = day
            self.amount = amount; self.quantity = quantity; self.variety = variety
        }
    }

    /// A carrier's waybill as the matcher sees it: the receiving unit when its name resolved, the weight in grams.
    public struct Waybill: Sendable, Equatable {
        public let id: Int
        public let township: String
        public let receiver: Int?
        public let shipped: LocalDate
        public let grams: Int64?
        public let item: String
        public init(id: Int, township: String, receiver: Int?, shipped: LocalDate, grams: Int64?, item: String) {
            self.id = id; self.township = township; self.receiver = receiver; self.shipped = shipped
            self.grams = grams; self.item = item
        }
    }

    /// 三方一致 / 两方一致 / 仅一方 / 矛盾.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case threeWay, twoWay, single, contradiction
        public var chineseName: String {
            switch self {
            case .threeWay: "三方一致"
            case .twoWay: "两方一致"
            case .single: "仅一方"
            case .contradiction: "矛盾"
            }
        }
    }

    /// A proposed link between a row and another row or a waybill, with its score (0–100) and why.
    public struct Proposal: Sendable, Equatable {
        public enum Other: Sendable, Equatable { case purchase(Int), waybill(Int) }
        public let row: Int
        public let other: Other
        public let score: Int
        public let reasons: [String]
        /// The figures disagree beyond tolerance (the township says 1,800元, the unit 1,500元).
        public let contradicts: Bool
        /// Another candidate scored as well: an office must choose.
        public let ambiguous: Bool
    }

    /// How far apart two dates may be and still describe one purchase, and how close two amounts must be.
    public struct Tolerance: Sendable {
        public var days = 7
        /// Basis points of the larger amount: 200 = 2%.
        public var amountBP = 200
        /// A proposal below this score is not made.
        public var minimumScore = 50
        public init() {}
    }

    /// Every row's proposals against the other sources and the waybills, and its outcome. Within a block (origin
    /// township and buyer) the best-scoring pairs are taken first and each row is linked at most once to each other
    /// source, each waybill to at most one row — as a bank matches one statement line to one entry.
    public static func reconcile(_ rows: [Purchase], _ waybills: [Waybill], tolerance t: Tolerance = Tolerance())
        -> (proposals: [Proposal], outcomes: [Int: Outcome]) {
        let byBlock = Dictionary(grouping: rows) { Block(township: $0.township, buyer: $0.buyer) }
        let billsByBlock = Dictionary(grouping: waybills.filter { $0.receiver != nil }) {
            Block(township: $0.township, buyer: $0.receiver!)
        }
        var proposals: [Proposal] = []
        for (block, group) in byBlock {
            proposals += assign(candidates(group.sorted { $0.id < $1.id }, billsByBlock[block] ?? [], t))
        }
        proposals.sort { ($0.row, tag($0.other)) < ($1.row, tag($1.other)) }
        return (proposals, outcomes(proposals, rows: rows))
    }

    /// A possible link: its row and the source it links to, both sides' keys for one-to-one assignment.
    struct Candidate {
        let row: Int, other: Proposal.Other, scored: Scored
        /// "row|source of the other side" and "other|source of the row": each may be taken once.
        let rowKey: String, otherKey: String
    }

    static func candidates(_ group: [Purchase], _ bills: [Waybill], _ t: Tolerance) -> [Candidate] {
        var out: [Candidate] = []
        for (i, a) in group.enumerated() {
            for b in group[(i + 1)...] where b.source != a.source {
                guard let s = score(a, b, t), s.score >= t.minimumScore else { continue }
                out.append(Candidate(row: a.id, other: .purchase(b.id), scored: s, rowKey: "\(a.id)|\(b.source)",
                                     otherKey: "\(b.id)|\(a.source)"))
            }
            for w in bills {
                guard let s = score(a, w, t), s.score >= t.minimumScore else { continue }
                out.append(Candidate(row: a.id, other: .waybill(w.id), scored: s, rowKey: "\(a.id)|waybill",
                                     otherKey: "w\(w.id)"))
            }
        }
        return out
    }

    /// Best pairs first (ties: lower row, then lower other); a pair whose row already has a link to that source, or
    /// whose other side is taken, is left; a pair with an equal-scoring rival for its row is ambiguous.
    static func assign(_ candidates: [Candidate]) -> [Proposal] {
        let sorted = candidates.sorted { ($1.scored.score, $0.row, tag($0.other)) < ($0.scored.score, $1.row,
            tag($1.other)) }
        // Rivals on either side: two entries for one row's source, or two rows for one waybill.
        let rivals = Dictionary(candidates.flatMap { ["\($0.rowKey)|\($0.scored.score)",
            "\($0.otherKey)|\($0.scored.score)"] }
            .map { ($0, 1) }, uniquingKeysWith: +)
        var taken = Set<String>(), out: [Proposal] = []
        for c in sorted where !taken.contains(c.rowKey) && !taken.contains(c.otherKey) {
            taken.insert(c.rowKey)
            taken.insert(c.otherKey)
            out.append(Proposal(row: c.row, other: c.other, score: c.scored.score, reasons: c.scored.reasons,
                                contradicts: c.scored.contradicts,
                                ambiguous: (rivals["\(c.rowKey)|\(c.scored.score)"] ?? 0) > 1
                                    || (rivals["\(c.otherKey)|\(c.scored.score)"] ?? 0) > 1))
        }
        return out
    }

    /// Each row's outcome from the links it is part of, followed through: the distinct sources its connected rows
    /// and waybills come from (three or more: 三方一致), any contradiction among those links first.
    public static func outcomes(_ proposals: [Proposal], rows: [Purchase]) -> [Int: Outcome] {
        var parent: [String: String] = [:]
        func find(_ x: String) -> String {
            var r = x
            while let p = parent[r], p != r { r = p }
            return r
        }
        func node(_ o: Proposal.Other) -> String {
            switch o {
            case .purchase(let id): "p\(id)"
            case .waybill(let id): "w\(id)"
            }
        }
        for p in proposals { parent[find("p\(p.row)")] = find(node(p.other)) }
        let source = Dictionary(uniqueKeysWithValues: rows.map { ("p\($0.id)", $0.source.rawValue) })
        var kinds: [String: Set<String>] = [:], contradicted = Set<String>()
        for n in Set(proposals.flatMap { ["p\($0.row)", node($0.other)] }) {
            kinds[find(n), default: []].insert(n.hasPrefix("w") ? "waybill" : source[n] ?? n)
        }
        for p in proposals where p.contradicts { contradicted.insert(find("p\(p.row)")) }
        return Dictionary(uniqueKeysWithValues: rows.map { r -> (Int, Outcome) in
            let root = find("p\(r.id)")
            if contradicted.contains(root) { return (r.id, .contradiction) }
            switch kinds[root]?.count ?? 1 {
            case ...1: return (r.id, .single)
            case 2: return (r.id, .twoWay)
            default: return (r.id, .threeWay)
            }
        })
    }

    struct Block: Hashable { let township: String; let buyer: Int }

    typealias Scored = (score: Int, reasons: [String], contradicts: Bool)

    /// A stable order among equal scores: the lower id first.
    static func tag(_ o: Proposal.Other) -> Int {
        switch o {
        case .purchase(let id), .waybill(let id): id
        }
    }

    /// Two reports of one purchase: dates within the window, then amount, quantity and product.
    static func score(_ a: Purchase, _ b: Purchase, _ t: Tolerance) -> Scored? {
        let gap = abs(a.day.days(until: b.day))
        guard gap <= t.days else { return nil }
        var score = 40 - gap * 2, reasons = [gap == 0 ? "同一天" : "相差\(gap)天"], contradicts = false
        if a.amount == b.amount {
            score += 40; reasons.append("金额一致")
        } else if close(a.amount.value, b.amount.value, bp: t.amountBP) {
            score += 25; reasons.append("金额相近")
        } else {
            contradicts = true; reasons.append("金额不一致：\(a.amount) 与 \(b.amount)")
        }
        if sameProduct(a.variety, b.variety) { score += 20; reasons.append("品种一致") }
        if let qa = a.quantity, let qb = b.quantity, qa.unit == qb.unit {
            if qa == qb { score += 10; reasons.append("数量一致") } else if !close(qa.thousandths, qb.thousandths,
                bp: 1_000) {
                contradicts = true; reasons.append("数量不一致：\(qa) 与 \(qb)")
            }
        }
        return (min(score, 100), reasons, contradicts)
    }

    /// A waybill for a purchase: shipped on or before it within the window, the weight against the quantity.
    static func score(_ a: Purchase, _ b: Waybill, _ t: Tolerance) -> Scored? {
        let gap = b.shipped.days(until: a.day)
        guard (-1...t.days).contains(gap) else { return nil }
        var score = 40 - max(0, gap) * 2, reasons = ["\(gap <= 0 ? "同日" : "收货前\(gap)天")发运"], contradicts = false
        if sameProduct(a.variety, b.item) { score += 30; reasons.append("货品与品种一致") }
        if let grams = b.grams, let q = a.quantity, let expected = Weights.grams(q) {
            if close(grams, expected, bp: 3_000) {
                score += 30; reasons.append("重量与数量相符")
            } else {
                contradicts = true
                reasons.append("重量不符：运单\(Weights.text(grams))，台账\(q)")
            }
        }
        return (min(score, 100), reasons, contradicts)
    }

    /// Within `bp` basis points of the larger of the two.
    static func close(_ a: Int64, _ b: Int64, bp: Int) -> Bool {
        let larger = max(a.magnitude, b.magnitude)
        guard larger > 0 else { return true }
        let gap = a > b ? a.magnitude - b.magnitude : b.magnitude - a.magnitude
        let (diff, overflow) = gap.multipliedReportingOverflow(by: 10_000)
        let (allowed, over) = larger.multipliedReportingOverflow(by: UInt64(bp))
        return !overflow && !over && diff <= allowed
    }

    /// Product words: one names the other ("红橙" in "云阳红橙5斤装").
    static func sameProduct(_ a: String, _ b: String) -> Bool {
        let x = a.trimmed, y = b.trimmed
        return !x.isEmpty && !y.isEmpty && (x.contains(y) || y.contains(x))
    }
}

/// Weights of quantities in the units the forms use, for comparing a ledger row with a waybill.
public enum Weights {
    /// Grams in each weight unit forms and market series write ("元/KG" and "元/市斤" included).
    public static let gramsPer: [String: Int64] = [
        "斤": 500, "市斤": 500, "公斤": 1_000, "千克": 1_000, "kg": 1_000, "KG": 1_000, "Kg": 1_000, "克": 1, "g": 1,
        "吨": 1_000_000, "t": 1_000_000,
    ]

    /// The quantity's weight in grams, when its unit is a weight (not 箱, 枚, 件).
    public static func grams(_ q: Quantity) -> Int64? {
        guard let per = gramsPer[q.unit] else { return nil }
        let (g, overflow) = q.thousandths.multipliedReportingOverflow(by: per)
        return overflow ? nil : g / 1_000
    }

    public static func text(_ grams: Int64) -> String {
        grams >= 1_000 ? "\(Decimals.format(grams, scale: 1_000))kg" : "\(grams)g"
    }
}
