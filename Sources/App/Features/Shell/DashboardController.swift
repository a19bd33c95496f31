import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The home page: what the signed-in user's scope holds, counted. Later features add their tiles.
enum DashboardController {
    struct Tile: Encodable { let title: String; let count: Int; let path: String }
    struct Page: Encodable {
        let shell: Shell; let scopeName: String; let tiles: [Tile]
        let progress: [ProgressDTO]; let pace: String; let notices: [String]
        /// The year so far by month, in the caller's scope.
        let trend: ColumnChart
        /// 可溯源率 of this quarter so far, for those who see reconciliation.
        var traceability: String? = nil
    }

    @Sendable static func show(req: Request) async throws -> View {
        let actor = req.currentUser!.actor
        var tiles: [Tile] = []
        if let s = req.scope(for: .viewSuppliers) {
            tiles.append(Tile(title: "供给主体", count: try await Supplier.query(on: req.db).scoped(by: s).count(), path: SiteURL.suppliers.path))
        }
        if let s = req.scope(for: .viewBuyers) {
            tiles.append(Tile(title: "采购单位", count: try await BuyerUnit.query(on: req.db).scoped(by: s).count(), path: SiteURL.buyers.path))
        }
        if let s = req.scope(for: .viewHouseholds) {
            tiles.append(Tile(title: "脱贫户/监测户", count: try await Household.query(on: req.db).scoped(by: s).count(), path: SiteURL.households.path))
        }
        if let s = req.scope(for: .viewPairings) {
            tiles.append(Tile(title: "结对帮扶关系", count: try await Pairing.query(on: req.db).scoped(by: s).count(), path: SiteURL.pairings.path))
        }
        tiles += try await catalogueTiles(req)
        tiles += try await ledgerTiles(req)
        tiles += try await OrderPages.tiles(req)
        var progress: [ProgressDTO] = []
        if let scope = req.scope(for: .viewProgress) {
            // An office's home shows its jurisdiction's targets; every unit's line is one click away, on the progress page.
            let office = if case .region = scope { true } else { false }
            progress = try await ProgressController.progress(req, scope: scope) { !office || [.jurisdictionTotal, .pairingTotal].contains($0.kind) }
        }
        let year = LocalDate(year: req.today.year, month: 1, day: 1)...LocalDate(year: req.today.year, month: 12, day: 31)
        var page = Page(
            shell: Shell(req), scopeName: try await scopeName(actor, req), tiles: tiles, progress: Array(progress.prefix(12)),
            pace: ProgressDTO.percent(Pace.basisPoints(window: year, asOf: req.today)),
            notices: try await CalendarController.notices(for: req.currentUser, on: req.db).map(\.text),
            trend: try await trend(req))
        if case .region = req.scope(for: .viewReconciliation) {
            let (from, to) = try ReconciliationController.period(req)
            page.traceability = try await Traceability.total(req, from: from, to: to)
        }
        return try await req.view.render("dashboard", page)
    }

    /// Counted amounts by month of this year through this month: an office's jurisdiction (bought in or coming from
    /// it), a unit's or a system's own purchases; read from the rollups.
    static func trend(_ req: Request) async throws -> ColumnChart {
        guard let scope = req.scope(for: .viewProgress) else { return ColumnChart.make([]) }
        let year = req.today.year, months = "\(year)-01"...req.today.monthKey
        var byMonth: [String: Int64] = [:]
        switch scope {
        case .region(let r):
            for b in try await QuotaFacts.jurisdictionTotals(prefix: r.subtreePrefix, months: months, on: req.db) {
                byMonth[b.month, default: 0] += b.amountFen
            }
        case .buyerUnit(let id): byMonth = try await ownMonths(column: "buyer_unit_id", id, months, on: req.db)
        case .system(let id): byMonth = try await ownMonths(column: "buyer_system_id", id, months, on: req.db)
        default: break
        }
        let points = (1...req.today.month).map { m -> (String, Int64, String) in
            let key = String(format: "%d-%02d", year, m), fen = byMonth[key] ?? 0
            return ("\(m)月", fen, Fen(fen).wanText)
        }
        return ColumnChart.make(byMonth.isEmpty ? [] : points)
    }

    /// A unit's or a system's counted amounts by month (`column` names which).
    static func ownMonths(column: String, _ id: Int, _ months: ClosedRange<String>,
                          on db: any Database) async throws -> [String: Int64] {
        struct Row: Decodable { let month: String; let amount: Int64 }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT month, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM unit_rollups
            WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
                AND \(ident: column) = \(bind: id)
            GROUP BY month
            """).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.month, $0.amount) }, uniquingKeysWith: +)
    }

    /// Rows waiting for proof checks or a duplicate decision, and reporters overdue this month.
    static func ledgerTiles(_ req: Request) async throws -> [Tile] {
        var tiles: [Tile] = []
        if let s = req.scope(for: .verifyPurchases) {
            let pending = try await Purchase.query(on: req.db).scoped(by: s).awaitingCheck().count()
            tiles.append(Tile(title: "待核实的采购", count: pending, path: SiteURL.purchases.path + "?awaiting=1"))
            let suspected = try await Purchase.query(on: req.db).scoped(by: s).filter(\.$suspectedDuplicateOf != nil).count()
            tiles.append(Tile(title: "疑似重复待确认", count: suspected, path: SiteURL.purchases.path + "?suspected=1"))
        }
        if req.scope(for: .manageReporting) != nil {
            tiles.append(Tile(title: "本月逾期未报", count: try await CalendarController.status(req).overdue, path: SiteURL.reporting.path))
        }
        return tiles
    }

    /// Offers to refresh, applications waiting at each step, 公示 running, certificates soon expiring, complaints.
    static func catalogueTiles(_ req: Request) async throws -> [Tile] {
        var tiles: [Tile] = []
        let today = req.today
        if let s = req.scope(for: .viewOffers) {
            let stale = try await Offer.query(on: req.db).scoped(by: s).filter(\.$updatedOn <= Freshness.freshSince(today).description).count()
            tiles.append(Tile(title: "超过一个月未更新的产品", count: stale, path: SiteURL.offers.path + "?stale=1"))
        }
        if let s = req.scope(for: .viewCertifications) {
            func count(_ state: CertificationState) async throws -> Int {
                try await ProductApplication.query(on: req.db).scoped(by: s).filter(\.$state == state.rawValue).count()
            }
            let path = SiteURL.certifications.path + "?state="
            tiles.append(Tile(title: "待乡镇初审", count: try await count(.applied), path: path + "applied"))
            tiles.append(Tile(title: "待县级认定", count: try await count(.townshipApproved), path: path + "townshipApproved"))
            tiles.append(Tile(title: "待发布公示", count: try await count(.countyApproved), path: path + "countyApproved"))
            tiles.append(Tile(title: "公示中", count: try await count(.inPublicity), path: path + "inPublicity"))
            let expiring = try await ProductApplication.query(on: req.db).scoped(by: s)
                .filter(\.$state == CertificationState.certified.rawValue)
                .filter(\.$validUntil > today.description).filter(\.$validUntil <= today.adding(days: 30).description).count()
            tiles.append(Tile(title: "30天内到期的证书", count: expiring, path: path + "certified"))
        }
        if let s = req.scope(for: .handleComplaints) {
            let open = Complaint.query(on: req.db).scoped(by: s).filter(\.$status == "open")
            tiles.append(Tile(title: "待办投诉", count: try await open.count(), path: SiteURL.complaints.path))
            let overdue = try await Complaint.query(on: req.db).scoped(by: s).filter(\.$status == "open")
                .filter(\.$dueOn < today.description).count()
            tiles.append(Tile(title: "超期未答复投诉", count: overdue, path: SiteURL.complaints.path))
        }
        return tiles
    }

    /// "云阳县 (500235000000)" / "教育系统" / a unit's or supplier's name: what this user's data is.
    static func scopeName(_ actor: Actor, _ req: Request) async throws -> String {
        switch actor.role {
        case .admin: return "全部数据"
        case .office, .clerk:
            guard let code = actor.regionCode else { return "" }
            return (try await Region.find(code.digits, on: req.db)).map { "\($0.name)（\(code)）" } ?? code.digits
        case .leadUnit: return try await LeadSystem.find(actor.systemID, on: req.db)?.name ?? ""
        case .buyer: return try await BuyerUnit.find(actor.buyerUnitID, on: req.db)?.name ?? ""
        case .supplier: return try await Supplier.find(actor.supplierID, on: req.db)?.name ?? ""
        }
    }
}
