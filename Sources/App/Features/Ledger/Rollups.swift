import BangfuKit
import Fluent
import SQLKit

/// Adds or takes away one ledger row's amount in its rollup bucket, by an upsert both databases speak.
enum Rollups {
    static func add(_ p: Purchase, sign: Int64, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let township = RegionCode(p.originRegionCode)?.ancestor(at: .township)?.digits ?? p.originRegionCode
        try await sql.raw("""
            INSERT INTO purchase_rollups (month, buyer_unit_id, buyer_region_code, buyer_system_id, origin_township, deep_poverty,
                channel_code, purpose, counted, amount_fen, row_count)
            VALUES (\(bind: String(p.bookedOn.prefix(7))), \(bind: p.$buyerUnit.id), \(bind: p.buyerRegionCode),
                \(bind: p.buyerSystemID), \(bind: township), \(bind: p.fromDeepPoverty), \(bind: p.channelCode), \(bind: p.purpose),
                \(bind: p.counts), \(bind: sign * p.amountFen), \(bind: Int(sign)))
            ON CONFLICT (month, buyer_unit_id, origin_township, deep_poverty, channel_code, purpose, counted) DO UPDATE SET
                amount_fen = purchase_rollups.amount_fen + excluded.amount_fen,
                row_count = purchase_rollups.row_count + excluded.row_count
            """).run()
        if p.counts { try await Benefits.add(p, sign: sign, on: sql) }
    }
}

extension Purchase: Scoped {
    /// An office sees rows bought by units in its region or coming from its region.
    static func restrict(_ q: QueryBuilder<Purchase>, to scope: Scope) -> QueryBuilder<Purchase>? {
        switch scope {
        case .region(let r):
            q.group(.or) { $0.filter(\.$buyerRegionCode =~ r.subtreePrefix).filter(\.$originRegionCode =~ r.subtreePrefix) }
        case .system(let id): q.filter(\.$buyerSystemID == id)
        case .buyerUnit(let id): q.filter(\.$buyerUnit.$id == id)
        default: nil
        }
    }
}

extension PurchaseRollup: Scoped {
    static func restrict(_ q: QueryBuilder<PurchaseRollup>, to scope: Scope) -> QueryBuilder<PurchaseRollup>? {
        switch scope {
        case .region(let r):
            q.group(.or) { $0.filter(\.$buyerRegionCode =~ r.subtreePrefix).filter(\.$originTownship =~ r.subtreePrefix) }
        case .system(let id): q.filter(\.$buyerSystemID == id)
        case .buyerUnit(let id): q.filter(\.$buyerUnitID == id)
        default: nil
        }
    }
}
