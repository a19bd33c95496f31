import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Reading the ledger for `Anomalies`: a period of an office's subtree on demand, or — after every import — only
/// what the new rows touch (`IncrementalFlagScan`). Rows that stand only: not a correction, not corrected or
/// voided since, not a linked duplicate, not rejected.
enum FlagScan {
    struct Row: Decodable {
        let id: Int, buyer_unit_id: Int, seller_key: String, seller_masked: String, supplier_id: Int?
        let month: String, variety: String, quantity_unit: String, amount_fen: Int64, quantity_thousandths: Int64
        let suspected_duplicate_of: Int?, origin_region_code: String
    }

    static let columns = """
        p.id, p.buyer_unit_id, p.seller_key, p.seller_masked, p.supplier_id, substr(p.purchased_on, 1, 7) AS month,
        p.variety, p.quantity_unit, p.amount_fen, p.quantity_thousandths, p.suspected_duplicate_of,
        p.origin_region_code
        """
    static let standing = """
        p.reverses_id IS NULL AND p.duplicate_of IS NULL AND p.state <> 'rejected'
            AND NOT EXISTS (SELECT 1 FROM purchases r WHERE r.reverses_id = p.id)
        """

    static func rows(_ s: ReconciliationScope, on db: any Database) async throws -> [Row] {
        try await (db as! any SQLDatabase).raw("""
            SELECT \(unsafeRaw: columns) FROM purchases p
            WHERE \(s.places("p.origin_region_code")) AND \(s.days("p.purchased_on")) AND \(unsafeRaw: standing)
            """).all(decoding: Row.self)
    }

    /// What the rules read besides the rows, read once for a scan: the thresholds of its jurisdiction, the buyers'
    /// helped places, and the sellers' offered supply.
    struct Context {
        let thresholds: Anomalies.Thresholds
        let helped: [Int: [RegionCode]]
        let supply: [String: Anomalies.Supply]

        static func read(_ rows: [Row], region: RegionCode, on db: any Database) async throws -> Context {
            Context(thresholds: try await FlagScan.thresholds(for: region, on: db),
                    helped: try await NeedRematch.helpedPlaces(units: Set(rows.map(\.buyer_unit_id)), on: db),
                    supply: try await FlagScan.supply(rows, on: db))
        }

        func scan(_ rows: [Row], rules: Set<Anomalies.Rule>) -> [Anomalies.Flag] {
            let input = rows.map { r in
                Anomalies.Row(id: r.id, buyer: r.buyer_unit_id, seller: r.seller_key, month: r.month,
                              variety: r.variety, unit: r.quantity_unit, amount: Fen(r.amount_fen),
                              quantityThousandths: r.quantity_thousandths, twinOf: r.suspected_duplicate_of,
                              helped: RegionCode(r.origin_region_code)
                                  .map { o in (helped[r.buyer_unit_id] ?? []).contains { $0.contains(o) } } ?? false)
            }
            return Anomalies.scan(input, thresholds, supply: supply, rules: rules.subtracting([.uncertified]))
        }
    }

    static func thresholds(for region: RegionCode, on db: any Database) async throws -> Anomalies.Thresholds {
        let rows = try await AnomalyThresholds.query(on: db)
            .filter(\.$jurisdictionCode ~~ region.selfAndAncestors.map(\.digits)).all()
        let nearest = region.nearest(rows, \.jurisdictionCode)
        return nearest.flatMap { try? JSONDecoder().decode(Anomalies.Thresholds.self, from: Data($0.json.utf8)) }
            ?? Anomalies.Thresholds()
    }

    /// Each seller's offered quantity of each variety it sold (the unit it offers most in), and whether it is one
    /// household: its registered kind where the row names a supplier, else a name that is no organisation's.
    /// Offers are found through their villages' index: a seller's key is made with its village, the rows' origin.
    static func supply(_ rows: [Row], on db: any Database) async throws -> [String: Anomalies.Supply] {
        struct P: Decodable { let seller_key: String; let variety: String; let quantity_unit: String; let q: Int64 }
        var planned: [String: Quantity] = [:]
        let villages = Dictionary(rows.map { ($0.seller_key, $0.origin_region_code) }, uniquingKeysWith: { a, _ in a })
        for chunk in villages.keys.sorted().chunked(500) {
            let offered = try await (db as! any SQLDatabase).raw("""
                SELECT seller_key, variety, quantity_unit, CAST(SUM(quantity_thousandths) AS BIGINT) AS q FROM offers
                WHERE region_code IN (\(binds: Array(Set(chunk.compactMap { villages[$0] }))))
                    AND seller_key IN (\(binds: Array(chunk))) GROUP BY seller_key, variety, quantity_unit
                """).all(decoding: P.self)
            for p in offered {
                let key = Anomalies.Supply.key(seller: p.seller_key, variety: p.variety)
                if p.q > planned[key]?.thousandths ?? -1 {
                    planned[key] = Quantity(thousandths: p.q, unit: p.quantity_unit)
                }
            }
        }
        var households = Set<Int>()
        for chunk in Array(Set(rows.compactMap(\.supplier_id))).chunked(1_000).map(Array.init) {
            households.formUnion(try await Supplier.query(on: db).filter(\.$id ~~ chunk)
                .filter(\.$kind == SupplierKind.household.rawValue).all().compactMap(\.id))
        }
        var out: [String: Anomalies.Supply] = [:]
        for r in rows {
            let key = Anomalies.Supply.key(seller: r.seller_key, variety: r.variety)
            let household = r.supplier_id.map { households.contains($0) }
                ?? !SellerName.namesOrganisation(r.seller_masked)
            out[key] = .init(planned: planned[key], household: household)
        }
        return out
    }

    /// Rows of a product no certification covered on their date (`UncertifiedRule`); under Chongqing's rule they
    /// were booked as not counted, and are flagged all the same. With the origin of each, for the flag's region.
    static func uncertified(_ s: ReconciliationScope, after: Int? = nil,
                            on db: any Database) async throws -> (flags: [Anomalies.Flag], origins: [Int: String]) {
        struct Hit: Decodable {
            let id: Int, variety: String, purchased_on: String, state: String, origin_region_code: String
        }
        let hits = try await (db as! any SQLDatabase).raw("""
            SELECT p.id, p.variety, p.purchased_on, p.state, p.origin_region_code FROM purchases p
            WHERE \(s.places("p.origin_region_code")) AND \(s.days("p.purchased_on")) AND p.id > \(bind: after ?? 0)
                AND p.reverses_id IS NULL AND p.duplicate_of IS NULL
                AND NOT EXISTS (SELECT 1 FROM purchases r WHERE r.reverses_id = p.id)
                AND (p.state <> 'rejected' OR p.reason = \(bind: UncertifiedRule.reason))
                AND \(unsafeRaw: UncertifiedRule.notCovered("p"))
            ORDER BY p.id
            """).all(decoding: Hit.self)
        let flags = hits.map {
            Anomalies.Flag(rule: .uncertified, key: "row:\($0.id)", rows: [$0.id],
                           reason: "\($0.purchased_on)采购时，产地没有在认定有效期内的“\($0.variety)”帮扶产品"
                               + ($0.state == "rejected" ? "（按本辖区规定不计入）" : ""))
        }
        return (flags, Dictionary(uniqueKeysWithValues: hits.map { ($0.id, $0.origin_region_code) }))
    }
}
