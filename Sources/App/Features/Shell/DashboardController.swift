import BangfuKit
import Fluent
import Vapor

/// The home page: what the signed-in user's scope holds, counted. Later features add their tiles.
enum DashboardController {
    struct Tile: Encodable { let title: String; let count: Int; let path: String }
    struct Page: Encodable { let shell: Shell; let scopeName: String; let tiles: [Tile] }

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
        return try await req.view.render("dashboard", Page(shell: Shell(req), scopeName: try await scopeName(actor, req), tiles: tiles))
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
