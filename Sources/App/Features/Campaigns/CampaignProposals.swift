import BangfuKit
import Fluent
import SQLKit
import Vapor

struct ProposalDTO: Content {
    let rank: Int, unitId: Int, unit: String, points: Int, reasons: [String], quotaGapFen: Int64, invited: Bool
}

/// The institutions a campaign should ask, ranked by `CampaignRanking` from what the platform holds: pairings,
/// each unit's quota progress against 序时进度, its canteen or gift budget, its purchases of the category over the
/// last year, and its declared bases.
enum CampaignProposals {
    static func rank(_ c: Campaign, req: Request) async throws -> [ProposalDTO] {
        let product = try await c.$product.get(on: req.db)
        let category = ProductCategory(rawValue: product.category) ?? .other
        guard let j = RegionCode(c.jurisdictionCode), let origin = RegionCode(c.originRegionCode) else { return [] }
        let pairings = try await Pairing.query(on: req.db).filter(\.$status == Pairing.confirmed).all()
        let paired = Set(pairings.filter { p in
            guard let helped = RegionCode(p.helpedRegionCode) else { return false }
            let county = origin.ancestor(at: .county) ?? origin
            return helped.contains(origin) || county.contains(helped)
        }.compactMap(\.$helperUnit.id))
        let units = try await BuyerUnit.query(on: req.db).group(.or) {
            $0.filter(\.$regionCode =~ j.subtreePrefix).filter(\.$id ~~ Array(paired))
        }.all()
        let ids = units.compactMap(\.id)
        // Units of the jurisdiction and paired units from elsewhere, each measured by the policies binding it.
        let homes = Set(units.compactMap { RegionCode($0.regionCode) }.map { $0.level <= .county ? $0
            : $0.ancestor(at: .county) ?? $0 }).filter { !j.contains($0) }
        var gaps = try await quotaGaps(req, region: j)
        for home in homes { gaps.merge(try await quotaGaps(req, region: home)) { max($0, $1) } }
        let past = try await pastPurchases(ids, category: category, req: req)
        let bases = try await capacities(ids, canteen: CampaignRanking.forCanteens(category), year: req.today.year,
                                         on: req.db)
        let gifts = try await capacities(ids, canteen: false, year: req.today.year, on: req.db)
        let candidates = units.map { u in
            let giftBudget = u.kind == BuyerKind.union.rawValue || (gifts[u.id!] ?? 0) > 0
            return CampaignRanking.Candidate(
                unitID: u.id!, name: u.name, paired: paired.contains(u.id!), quotaGapFen: gaps[u.id!] ?? 0,
                canUse: CampaignRanking.canUse(category, hasCanteen: u.hasCanteen, giftBudget: giftBudget),
                pastCategoryFen: past[u.id!] ?? 0, capacityFen: bases[u.id!] ?? 0)
        }
        let value = Self.value(c, unit: product.unit)
        let invited = Set(try await CampaignInvitation.query(on: req.db).filter(\.$campaign.$id == c.id!).all()
            .map(\.$buyerUnit.id))
        return CampaignRanking.rank(candidates, campaignValueFen: value).enumerated().map { i, r in
            ProposalDTO(rank: i + 1, unitId: r.candidate.unitID, unit: r.candidate.name, points: r.points,
                        reasons: r.reasons, quotaGapFen: r.candidate.quotaGapFen,
                        invited: invited.contains(r.candidate.unitID))
        }
    }

    /// What the campaign is worth at its floor, in 分 (quantity × floor, bounded).
    static func value(_ c: Campaign, unit: String) -> Int64 {
        let perUnit = PriceQuote.inProductUnit(c.floorFen, productUnit: unit)
        return Int64(min(9e15, Double(c.quantityThousandths) / 1_000 * perUnit))
    }

    /// Per unit, the largest shortfall against 序时进度 among the quota lines that bind it.
    static func quotaGaps(_ req: Request, region: RegionCode) async throws -> [Int: Int64] {
        let lines = try await ProgressController.progress(req, scope: .region(region))
        var gaps: [Int: Int64] = [:]
        for line in lines where line.state == ProgressState.behind.rawValue {
            guard let unit = line.unitId, let expected = line.expectedFen else { continue }
            gaps[unit] = max(gaps[unit] ?? 0, max(0, expected - line.actualFen))
        }
        return gaps
    }

    /// Counted purchases of the category's monitored varieties over the last year, per unit.
    static func pastPurchases(_ ids: [Int], category: ProductCategory, req: Request) async throws -> [Int: Int64] {
        let varieties = try await MonitoredProduct.query(on: req.db).filter(\.$category == category.rawValue).all()
            .flatMap(\.varieties)
        guard !ids.isEmpty, !varieties.isEmpty else { return [:] }
        struct Row: Decodable { let unit: Int, amount: Int64 }
        let rows = try await (req.db as! any SQLDatabase).raw("""
            SELECT buyer_unit_id AS unit, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM purchases
            WHERE buyer_unit_id IN (\(binds: ids)) AND variety IN (\(binds: Array(Set(varieties))))
                AND purchased_on >= \(bind: req.today.adding(days: -365).description) AND \(unsafeRaw: Rollups.counted)
            GROUP BY buyer_unit_id
            """).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.unit, $0.amount) }, uniquingKeysWith: +)
    }

    /// Declared yearly bases: canteen purchases, or the union welfare budget.
    static func capacities(_ ids: [Int], canteen: Bool, year: Int, on db: any Database) async throws -> [Int: Int64] {
        let kinds: [DeclarationKind] = canteen ? [.canteenAgri, .canteenFood] : [.unionWelfare]
        let rows = try await DeclarationRecord.query(on: db).filter(\.$buyerUnit.$id ~~ ids).filter(\.$year == year)
            .filter(\.$kind ~~ kinds.map(\.rawValue)).all()
        return Dictionary(rows.map { ($0.$buyerUnit.id, $0.value) }, uniquingKeysWith: max)
    }

    @Sendable static func api(req: Request) async throws -> [ProposalDTO] {
        try await rank(try await Campaigns.find(req, for: .runCampaigns), req: req)
    }
}
