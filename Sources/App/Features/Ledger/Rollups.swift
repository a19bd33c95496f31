import BangfuKit
import Fluent
import SQLKit

/// Keeps `purchase_rollups` (and the benefits beside them) equal to the ledger: rows' amounts are summed by
/// bucket in memory and written by one multi-row upsert both databases speak, in the caller's transaction.
enum Rollups {
    struct Key: Hashable {
        let month: String, unit: Int, buyerRegion: String, system: Int?, township: String, deep: Bool
        let channel: String, purpose: String, counted: Bool
    }

    static func key(_ p: Purchase) -> Key {
        Key(month: String(p.bookedOn.prefix(7)), unit: p.$buyerUnit.id, buyerRegion: p.buyerRegionCode, system: p.buyerSystemID,
            township: RegionCode(p.originRegionCode)?.ancestor(at: .township)?.digits ?? p.originRegionCode, deep: p.fromDeepPoverty,
            channel: p.channelCode, purpose: p.purpose, counted: p.counts)
    }

    static func add(_ p: Purchase, sign: Int64, on db: any Database) async throws {
        try await add([p], sign: sign, on: db)
    }

    static func add(_ rows: [Purchase], sign: Int64, on db: any Database) async throws {
        var sums: [Key: (fen: Int64, rows: Int)] = [:]
        for p in rows { sums[key(p), default: (0, 0)].fen += sign * p.amountFen; sums[key(p), default: (0, 0)].rows += Int(sign) }
        let sql = db as! any SQLDatabase
        for batch in Array(sums).chunked(400) {
            let values = batch.map { k, v -> SQLQueryString in
                "(\(bind: k.month), \(bind: k.unit), \(bind: k.buyerRegion), \(bind: k.system), \(bind: k.township), \(bind: k.deep), \(bind: k.channel), \(bind: k.purpose), \(bind: k.counted), \(bind: v.fen), \(bind: v.rows))"
            }
            try await sql.raw("""
                INSERT INTO purchase_rollups (month, buyer_unit_id, buyer_region_code, buyer_system_id, origin_township, deep_poverty,
                    channel_code, purpose, counted, amount_fen, row_count)
                VALUES \(values.joined(separator: ", "))
                ON CONFLICT (month, buyer_unit_id, origin_township, deep_poverty, channel_code, purpose, counted) DO UPDATE SET
                    amount_fen = purchase_rollups.amount_fen + excluded.amount_fen,
                    row_count = purchase_rollups.row_count + excluded.row_count
                """).run()
        }
        try await Benefits.add(rows.filter(\.counts), sign: sign, on: sql)
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
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
