import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Reading the ledger for `Anomalies`: a period of an office's subtree on demand, or — after every import — only
/// what the new rows touch: the months of their varieties in their county (prices, twins) and the year of their
/// buyers and sellers there (a unit's pattern, a seller's supply). Never a full rescan per write.
enum FlagScan {
    struct Row: Decodable {
        let id: Int, buyer_unit_id: Int, seller_key: String, seller_masked: String, month: String, variety: String
        let quantity_unit: String, amount_fen: Int64, quantity_thousandths: Int64, suspected_duplicate_of: Int?
        let origin_region_code: String
    }

    static let columns = """
        id, buyer_unit_id, seller_key, seller_masked, substr(purchased_on, 1, 7) AS month, variety, quantity_unit,
        amount_fen, quantity_thousandths, suspected_duplicate_of, origin_region_code
        """
    static let standing = "reverses_id IS NULL AND duplicate_of IS NULL AND state <> 'rejected'"

    static func rows(_ s: ReconciliationScope, extra: SQLQueryString = "", on db: any Database) async throws -> [Row] {
        try await (db as! any SQLDatabase).raw("""
            SELECT \(unsafeRaw: columns) FROM purchases
            WHERE origin_region_code >= \(bind: s.low) AND origin_region_code <= \(bind: s.high)
                AND purchased_on >= \(bind: s.from.description) AND purchased_on <= \(bind: s.to.description)
                AND \(unsafeRaw: standing) \(extra)
            """).all(decoding: Row.self)
    }

    static func thresholds(for region: RegionCode, on db: any Database) async throws -> Anomalies.Thresholds {
        let rows = try await AnomalyThresholds.query(on: db)
            .filter(\.$jurisdictionCode ~~ region.selfAndAncestors.map(\.digits)).all()
        let nearest = region.nearest(rows, \.jurisdictionCode)
        return nearest.flatMap { try? JSONDecoder().decode(Anomalies.Thresholds.self, from: Data($0.json.utf8)) }
            ?? Anomalies.Thresholds()
    }

    /// The rules over rows, with the buyers' helped places and the sellers' offered supply read for them.
    static func flags(_ rows: [Row], region: RegionCode, rules: Set<Anomalies.Rule> = Set(Anomalies.Rule.allCases),
                      on db: any Database) async throws -> [Anomalies.Flag] {
        let helped = try await NeedRematch.helpedPlaces(units: Set(rows.map(\.buyer_unit_id)), on: db)
        let supply = rules.contains(.beyondSupply) ? try await self.supply(rows, on: db) : [:]
        let input = rows.map { r in
            Anomalies.Row(id: r.id, buyer: r.buyer_unit_id, seller: r.seller_key, month: r.month, variety: r.variety,
                          unit: r.quantity_unit, amount: Fen(r.amount_fen), quantityThousandths: r.quantity_thousandths,
                          twinOf: r.suspected_duplicate_of,
                          helped: RegionCode(r.origin_region_code)
                              .map { o in (helped[r.buyer_unit_id] ?? []).contains { $0.contains(o) } } ?? false)
        }
        let t = try await thresholds(for: region, on: db)
        return Anomalies.scan(input, t, supply: supply, rules: rules.subtracting([.uncertified]))
    }

    /// Each seller's offered quantity of each variety it sold (the unit it offers most in), and whether it is a
    /// household (its name is masked: no organisation's own name).
    static func supply(_ rows: [Row], on db: any Database) async throws -> [String: Anomalies.Supply] {
        struct P: Decodable { let seller_key: String; let variety: String; let quantity_unit: String; let q: Int64 }
        var planned: [String: Quantity] = [:]
        for chunk in Array(Set(rows.map(\.seller_key))).sorted().chunked(500) {
            let offered = try await (db as! any SQLDatabase).raw("""
                SELECT seller_key, variety, quantity_unit, CAST(SUM(quantity_thousandths) AS BIGINT) AS q FROM offers
                WHERE seller_key IN (\(binds: Array(chunk))) GROUP BY seller_key, variety, quantity_unit
                """).all(decoding: P.self)
            for p in offered {
                let key = Anomalies.Supply.key(seller: p.seller_key, variety: p.variety)
                if p.q > planned[key]?.thousandths ?? -1 { planned[key] = Quantity(thousandths: p.q, unit: p.quantity_unit) }
            }
        }
        var out: [String: Anomalies.Supply] = [:]
        for r in rows {
            let key = Anomalies.Supply.key(seller: r.seller_key, variety: r.variety)
            out[key] = .init(planned: planned[key], household: !SellerName.namesOrganisation(r.seller_masked))
        }
        return out
    }

    /// Rows of a product no certification covered on their date; under Chongqing's rule they were booked as not
    /// counted, and are flagged all the same.
    static func uncertified(_ s: ReconciliationScope, after: Int? = nil,
                            on db: any Database) async throws -> [Anomalies.Flag] {
        struct Hit: Decodable { let id: Int; let variety: String; let purchased_on: String; let state: String }
        return try await (db as! any SQLDatabase).raw("""
            SELECT id, variety, purchased_on, state FROM purchases
            WHERE origin_region_code >= \(bind: s.low) AND origin_region_code <= \(bind: s.high)
                AND purchased_on >= \(bind: s.from.description) AND purchased_on <= \(bind: s.to.description)
                AND id > \(bind: after ?? 0) AND reverses_id IS NULL AND duplicate_of IS NULL
                AND (state <> 'rejected' OR reason = \(bind: UncertifiedRule.reason))
                AND \(unsafeRaw: UncertifiedRule.notCovered("purchases"))
            ORDER BY id
            """).all(decoding: Hit.self).map {
            Anomalies.Flag(rule: .uncertified, key: "row:\($0.id)", rows: [$0.id],
                           reason: "\($0.purchased_on)采购时，产地没有在认定有效期内的“\($0.variety)”帮扶产品"
                               + ($0.state == "rejected" ? "（按本辖区规定不计入）" : ""))
        }
    }

    /// Saves new flags (a row's flag is the row's; a unit's or a seller's is the period's) and refreshes the rows
    /// and reasons of those still open; a decided flag stays as decided. Returns how many were new.
    static func record(_ flags: [Anomalies.Flag], rows: [Row], jurisdiction: RegionCode, period: String,
                       on db: any Database) async throws -> Int {
        let key: @Sendable (Anomalies.Flag) -> String = { $0.key.hasPrefix("row:") ? $0.key : "\(period)|\($0.key)" }
        let known = try await flags.map(key).chunked(500).asyncFlatMap { chunk in
            try await LedgerFlag.query(on: db).filter(\.$flagKey ~~ Array(chunk)).all()
        }
        let byKey = Dictionary(known.map { ("\($0.rule)|\($0.flagKey)", $0) }, uniquingKeysWith: { a, _ in a })
        let origins = Dictionary(rows.map { ($0.id, $0.origin_region_code) }, uniquingKeysWith: { a, _ in a })
        let created = flags.filter { byKey["\($0.rule.rawValue)|\(key($0))"] == nil }.count
        try await db.writeTransaction { db in
            for f in flags {
                let ids = f.rows.map(String.init).joined(separator: ",")
                if let old = byKey["\(f.rule.rawValue)|\(key(f))"] {
                    guard old.status == "open", old.rows != ids || old.reason != f.reason else { continue }
                    old.rows = ids
                    old.reason = f.reason
                    try await old.save(on: db)
                    continue
                }
                let l = LedgerFlag()
                l.jurisdictionCode = jurisdiction.digits; l.rule = f.rule.rawValue; l.flagKey = key(f)
                l.regionCode = commonRegion(f.rows.compactMap { origins[$0] }, within: jurisdiction)
                l.rows = ids; l.reason = f.reason; l.status = "open"
                try await l.create(on: db)
            }
        }
        return created
    }

    /// The township all the rows come from, else their county, else the jurisdiction.
    static func commonRegion(_ origins: [String], within j: RegionCode) -> String {
        for length in [9, 6] {
            let prefixes = Set(origins.map { $0.prefix(length) })
            if prefixes.count == 1, let p = prefixes.first, p.count == length {
                return ReconciliationScope.pad(String(p), "0")
            }
        }
        return j.digits
    }
}
