import BangfuKit
import Fluent
import SQLKit

/// Keeps the rollups (and the benefits beside them) equal to the ledger, at four grains, each bounded by its
/// dimensions rather than by the ledger's size: the finest (`purchase_rollups`: month × unit × origin township ×
/// channel × purpose), per unit (`unit_rollups`), per origin township (`origin_rollups`) and per buyer county ×
/// origin county (`county_rollups`). Rows are summed by bucket in memory and written by one multi-row upsert per
/// grain, both databases' dialect, in the caller's transaction.
enum Rollups {
    /// One grain: its table, its columns (key columns first) and how a row maps to a key.
    struct Grain {
        let table: String
        let keys: [String]
        let key: @Sendable (Purchase) -> [any Encodable & Sendable]
    }

    static let grains = [
        Grain(table: "purchase_rollups",
              keys: ["month", "buyer_unit_id", "buyer_region_code", "buyer_system_id", "origin_township", "deep_poverty", "channel_code", "purpose", "counted"],
              key: { [month($0), $0.$buyerUnit.id, $0.buyerRegionCode, $0.buyerSystemID, township($0), $0.fromDeepPoverty, $0.channelCode, $0.purpose, $0.counts] }),
        Grain(table: "unit_rollups",
              keys: ["month", "buyer_unit_id", "buyer_region_code", "buyer_system_id", "channel_code", "purpose", "counted"],
              key: { [month($0), $0.$buyerUnit.id, $0.buyerRegionCode, $0.buyerSystemID, $0.channelCode, $0.purpose, $0.counts] }),
        Grain(table: "origin_rollups",
              keys: ["month", "origin_township", "deep_poverty", "channel_code", "purpose", "counted"],
              key: { [month($0), township($0), $0.fromDeepPoverty, $0.channelCode, $0.purpose, $0.counts] }),
        Grain(table: "county_rollups",
              keys: ["month", "buyer_county", "origin_county", "deep_poverty", "channel_code", "purpose", "counted"],
              key: { [month($0), county($0.buyerRegionCode), county($0.originRegionCode), $0.fromDeepPoverty, $0.channelCode, $0.purpose, $0.counts] }),
    ]
    /// The columns each table's unique constraint names (buyer region and system follow the unit).
    static let conflict = [
        "purchase_rollups": "month, buyer_unit_id, origin_township, deep_poverty, channel_code, purpose, counted",
        "unit_rollups": "month, buyer_unit_id, channel_code, purpose, counted",
        "origin_rollups": "month, origin_township, deep_poverty, channel_code, purpose, counted",
        "county_rollups": "month, buyer_county, origin_county, deep_poverty, channel_code, purpose, counted",
    ]

    static func month(_ p: Purchase) -> String { String(p.bookedOn.prefix(7)) }
    static func township(_ p: Purchase) -> String { RegionCode(p.originRegionCode)?.ancestor(at: .township)?.digits ?? p.originRegionCode }
    static func county(_ code: String) -> String { RegionCode(code)?.ancestor(at: .county)?.digits ?? code }

    static func add(_ p: Purchase, sign: Int64, on db: any Database) async throws {
        try await add([p], sign: sign, on: db)
    }

    static func add(_ rows: [Purchase], sign: Int64, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for grain in grains {
            var sums: [String: (key: [any Encodable & Sendable], fen: Int64, rows: Int)] = [:]
            for p in rows {
                let key = grain.key(p)
                let id = key.map { "\($0)" }.joined(separator: "|")
                let old = sums[id] ?? (key, 0, 0)
                sums[id] = (key, old.fen + sign * p.amountFen, old.rows + Int(sign))
            }
            for batch in Array(sums.values).chunked(300) {
                let values = batch.map { v -> SQLQueryString in "(\(binds: v.key + [v.fen, v.rows]))" }
                try await sql.raw("""
                    INSERT INTO \(ident: grain.table) (\(unsafeRaw: (grain.keys + ["amount_fen", "row_count"]).joined(separator: ", ")))
                    VALUES \(values.joined(separator: ", "))
                    ON CONFLICT (\(unsafeRaw: conflict[grain.table]!)) DO UPDATE SET
                        amount_fen = \(ident: grain.table).amount_fen + excluded.amount_fen,
                        row_count = \(ident: grain.table).row_count + excluded.row_count
                    """).run()
            }
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
