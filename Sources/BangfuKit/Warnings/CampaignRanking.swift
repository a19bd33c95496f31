/// Which institutions an emergency 消纳 campaign should ask first, and why: one pure function over facts the
/// platform already holds, so that the order can be written out in a test and explained on the page.
public enum CampaignRanking {
    public struct Candidate: Sendable, Equatable {
        public let unitID: Int
        public let name: String
        /// Paired with the campaign's area (结对帮扶) or its county (区县协作).
        public let paired: Bool
        /// What the unit should have bought by now under its quotas (序时进度) and has not, in 分; 0 when on pace.
        public let quotaGapFen: Int64
        /// It can use the product: a canteen for vegetables and staples, a union for gift-grade fruit and tea.
        public let canUse: Bool
        /// What it bought of the product's category over the last year, in 分.
        public let pastCategoryFen: Int64
        /// Its declared yearly bases for the use (canteen, union welfare), in 分: what it could absorb.
        public let capacityFen: Int64

        public init(unitID: Int, name: String, paired: Bool, quotaGapFen: Int64, canUse: Bool,
                    pastCategoryFen: Int64 = 0, capacityFen: Int64 = 0) {
            self.unitID = unitID; self.name = name; self.paired = paired; self.quotaGapFen = quotaGapFen
            self.canUse = canUse; self.pastCategoryFen = pastCategoryFen; self.capacityFen = capacityFen
        }
    }

    public struct Ranked: Sendable, Equatable {
        public let candidate: Candidate
        public let points: Int
        public let reasons: [String]
    }

    /// Points: behind on its quotas 3 (a purchase here closes its own gap), paired with the area 3, able to use
    /// the product 2, has bought the category 1, declared capacity for the campaign's value 1. Ties go to the
    /// larger gap, then the larger capacity, then the lower id; units with no point are left out.
    public static func rank(_ candidates: [Candidate], campaignValueFen: Int64) -> [Ranked] {
        candidates.map { c in
            var points = 0, reasons: [String] = []
            if c.quotaGapFen > 0 {
                points += 3
                reasons.append("落后序时进度\(Fen(c.quotaGapFen).wanText)，认购可计入其任务")
            }
            if c.paired {
                points += 3
                reasons.append("与产地结对帮扶")
            }
            if c.canUse {
                points += 2
                reasons.append("有对口用途（食堂或工会福利）")
            }
            if c.pastCategoryFen > 0 {
                points += 1
                reasons.append("近一年采购同类产品\(Fen(c.pastCategoryFen).wanText)")
            }
            if c.capacityFen > 0, c.capacityFen >= campaignValueFen {
                points += 1
                reasons.append("申报采购基数\(Fen(c.capacityFen).wanText)，可承接")
            }
            return Ranked(candidate: c, points: points, reasons: reasons)
        }
        .filter { $0.points > 0 }
        .sorted {
            ($0.points, $0.candidate.quotaGapFen, $0.candidate.capacityFen, -$0.candidate.unitID)
                > ($1.points, $1.candidate.quotaGapFen, $1.candidate.capacityFen, -$1.candidate.unitID)
        }
    }
}

extension CampaignRanking {
    /// Who can use a product: canteens take staples, vegetables, meat, fish and mushrooms; unions and gift budgets
    /// take fruit, tea, nuts and crafted goods; processed foods go either way.
    public static func canUse(_ category: ProductCategory, hasCanteen: Bool, giftBudget: Bool) -> Bool {
        switch category {
        case .grain, .vegetable, .livestock, .aquatic, .fungus: hasCanteen
        case .fruit, .tea, .coffee, .nut, .flower, .handicraft, .herb: giftBudget
        case .processed, .other: hasCanteen || giftBudget
        case .tourism: false
        }
    }

    /// Canteen categories are measured against canteen bases; the rest against gift (union welfare) budgets.
    public static func forCanteens(_ category: ProductCategory) -> Bool {
        [.grain, .vegetable, .livestock, .aquatic, .fungus, .processed, .other].contains(category)
    }
}
