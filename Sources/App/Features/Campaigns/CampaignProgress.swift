import BangfuKit
import Fluent
import SQLKit
import Vapor

struct CampaignDTO: Content {
    struct UnitLine: Content {
        let unitId: Int, unit: String, rank: Int, reasons: String, pledged: String, delivered: String
        let amount: String, paid: String
    }
    struct TownLine: Content { let township: String, delivered: String, amount: String }

    let id: Int, title: String, productId: Int, product: String, unit: String, origin: String, originRegionCode: String
    let target: String, floor: String, floorFen: Int64, deadline: String, status: String, statusName: String
    let warningId: Int?
    let pledged: String, delivered: String, amount: String, paid: String
    /// Delivered against the target, in basis points (capped at 100%).
    let deliveredBP: Int, pledgedBP: Int, deliveredPercent: Int
    let units: [UnitLine], townships: [TownLine]
}

/// A campaign as its page, the API and the closing report read it: target, pledged, delivered and paid, by unit
/// and by township. Delivered counts standing ledger rows of the campaign; paid, the rows counted (their proof
/// of payment verified, or reported by a platform).
enum CampaignProgress {
    struct Row: Decodable {
        let buyer_unit_id: Int, origin_region_code: String, quantity_thousandths: Int64, quantity_unit: String
        let amount_fen: Int64, counted: Bool
    }

    /// The units whose lines the caller may see: all for an office (nil), else its own unit's or system's.
    static func visibleUnits(_ req: Request) async throws -> Set<Int>? {
        let scope = req.scope(for: .viewCampaigns) ?? .ownAccount
        switch scope {
        case .everything, .region: return nil
        default: return Set(try await BuyerUnit.query(on: req.db).scoped(by: scope).all().compactMap(\.id))
        }
    }

    static func read(_ c: Campaign, req: Request) async throws -> CampaignDTO {
        try await read(c, only: try await visibleUnits(req), on: req.db)
    }

    /// `only`: the units whose lines are shown (another unit's pledge, deliveries and ranking reasons are its own);
    /// the campaign's totals are for all.
    static func read(_ c: Campaign, only: Set<Int>?, on db: any Database) async throws -> CampaignDTO {
        let product = try await c.$product.get(on: db)
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT p.buyer_unit_id, p.origin_region_code, p.quantity_thousandths, p.quantity_unit, p.amount_fen,
                \(unsafeRaw: Rollups.counted) AS counted
            FROM purchases p WHERE p.campaign_id = \(bind: c.id!) AND \(unsafeRaw: FlagScan.standing)
            """).all(decoding: Row.self).filter { $0.quantity_unit == product.unit }
        let invitations = try await CampaignInvitation.query(on: db).filter(\.$campaign.$id == c.id!)
            .with(\.$buyerUnit).sort(\.$rank).all()
        let unit = product.unit
        func q(_ t: Int64) -> String { Quantity(thousandths: t, unit: unit).description }
        func sum(_ rs: [Row], _ f: (Row) -> Int64) -> Int64 { rs.reduce(0) { $0.addingClamped(f($1)) } }
        let byUnit = Dictionary(grouping: rows, by: \.buyer_unit_id)
        let byTown = Dictionary(grouping: rows) { PriceSeries.region(of: $0.origin_region_code, source: .farm) }
        let names = try await RegionNames.places(for: Array(byTown.keys) + [c.originRegionCode], on: db)
        let pledged = invitations.reduce(Int64(0)) { $0.addingClamped($1.pledgedThousandths ?? 0) }
        let delivered = sum(rows, \.quantity_thousandths)
        func bp(_ v: Int64) -> Int {
            c.quantityThousandths > 0 ? Int(min(10_000, Double(v) * 10_000 / Double(c.quantityThousandths))) : 0
        }
        return CampaignDTO(
            id: c.id!, title: c.title, productId: product.id!, product: product.name, unit: unit,
            origin: names[c.originRegionCode] ?? c.originRegionCode, originRegionCode: c.originRegionCode,
            target: q(c.quantityThousandths), floor: PriceQuote.text(c.floorFen, productUnit: unit),
            floorFen: c.floorFen,
            deadline: c.deadline, status: c.status, statusName: c.status == Campaigns.open ? "进行中" : "已结束",
            warningId: c.warningID, pledged: q(pledged), delivered: q(delivered),
            amount: Fen(sum(rows, \.amount_fen)).description,
            paid: Fen(sum(rows.filter(\.counted), \.amount_fen)).description,
            deliveredBP: bp(delivered), pledgedBP: bp(pledged), deliveredPercent: bp(delivered) / 100,
            units: invitations.filter { only?.contains($0.$buyerUnit.id) ?? true }.map { i in
                let mine = byUnit[i.$buyerUnit.id] ?? []
                return .init(unitId: i.$buyerUnit.id, unit: i.buyerUnit.name, rank: i.rank, reasons: i.reasons,
                             pledged: i.pledgedThousandths.map(q) ?? "未认购",
                             delivered: q(sum(mine, \.quantity_thousandths)),
                             amount: Fen(sum(mine, \.amount_fen)).description,
                             paid: Fen(sum(mine.filter(\.counted), \.amount_fen)).description)
            },
            townships: byTown.map { town, rs in
                .init(township: names[town] ?? town, delivered: q(sum(rs, \.quantity_thousandths)),
                      amount: Fen(sum(rs, \.amount_fen)).description)
            }.sorted { $0.township < $1.township })
    }

    /// The closing report (.xlsx, or .csv on `?format=csv`): the campaign, then a line per unit and per township.
    @Sendable static func report(req: Request) async throws -> Response {
        let d = try await read(try await Campaigns.find(req), req: req)
        var rows: [[String]] = [
            ["应急消纳活动结项报告", d.title],
            ["品种", d.product, "产地", d.origin, "保护价", d.floor, "截止", d.deadline, "状态", d.statusName],
            ["目标", d.target, "认购", d.pledged, "已交付", d.delivered],
            ["金额（元）", d.amount, "已付款（元）", d.paid],
            [],
            ["推荐位次", "单位", "推荐理由", "认购", "已交付", "金额（元）", "已付款（元）"],
        ]
        rows += d.units.map { [String($0.rank), $0.unit, $0.reasons, $0.pledged, $0.delivered, $0.amount, $0.paid] }
        rows += [[], ["乡镇", "已交付", "金额（元）"]] + d.townships.map { [$0.township, $0.delivered, $0.amount] }
        return try SheetDownload.response(rows, sheetName: "消纳结项", filename: "消纳结项-\(d.id)", req: req)
    }

    @Sendable static func api(req: Request) async throws -> CampaignDTO {
        try await read(try await Campaigns.find(req), req: req)
    }
}

extension Int64 {
    /// A sum that stops at the largest value rather than trapping (figures read from stored rows).
    func addingClamped(_ other: Int64) -> Int64 {
        let (s, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : s
    }
}
