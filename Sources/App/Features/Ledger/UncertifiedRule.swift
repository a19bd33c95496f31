import BangfuKit
import Fluent
import SQLKit

/// Chongqing's rule, where a jurisdiction adopts it (`LedgerSettings.uncertifiedCounts` false): a purchase of a
/// product no 帮扶产品 certification covered on its date does not count. Such a row is booked as not counted, with
/// the reason on it, before its rollups are summed — never a silent change of a total — and it is flagged.
enum UncertifiedRule {
    static let reason = "采购日该产品不在帮扶产品认定有效期内，按本辖区规定不计入"

    /// True where no offer of the row's variety from its township held a certification valid on its date (one
    /// suspended or revoked later still held then): a cooperative registered in one village buys from its
    /// neighbours. `row` names the purchases table or its alias.
    static func notCovered(_ row: String) -> String {
        """
        NOT EXISTS (SELECT 1 FROM offers o JOIN product_applications a ON a.offer_id = o.id
            WHERE o.region_code >= substr(\(row).origin_region_code, 1, 9) || '000'
                AND o.region_code <= substr(\(row).origin_region_code, 1, 9) || '999' AND o.variety = \(row).variety
                AND a.valid_from <= \(row).purchased_on AND a.valid_until >= \(row).purchased_on
                AND a.state IN ('certified', 'suspended', 'revoked'))
        """
    }

    /// The buyer places among `regions` whose nearest ledger settings rule uncertified products out; nothing is
    /// read beyond the settings table where no jurisdiction has adopted the rule.
    static func excluding(_ regions: Set<String>, on db: any Database) async throws -> [String] {
        let chosen = try await LedgerSettings.query(on: db).filter(\.$uncertifiedCounts != nil).all()
        guard chosen.contains(where: { $0.uncertifiedCounts == false }) else { return [] }
        return regions.filter { code in
            RegionCode(code).flatMap { $0.nearest(chosen, \.jurisdictionCode) }?.uncertifiedCounts == false
        }.sorted()
    }

    /// An import's rows (`rows`: their condition), before the import sums its rollups; how many it booked as not
    /// counted.
    static func apply(rows: SQLQueryString, on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        guard try await hasRule(on: db) else { return 0 }
        struct R: Decodable { let buyer_region_code: String }
        let regions = try await sql.raw("SELECT DISTINCT buyer_region_code FROM purchases WHERE \(rows)")
            .all(decoding: R.self)
        let excluded = try await excluding(Set(regions.map(\.buyer_region_code)), on: db)
        guard !excluded.isEmpty else { return 0 }
        try await sql.raw("""
            UPDATE purchases SET state = 'rejected', reason = \(bind: reason)
            WHERE \(rows) AND reverses_id IS NULL AND buyer_region_code IN (\(binds: excluded))
                AND \(unsafeRaw: notCovered("purchases"))
            """).run()
        struct N: Decodable { let n: Int }
        return try await sql.raw("SELECT COUNT(*) AS n FROM purchases WHERE \(rows) AND reason = \(bind: reason)")
            .first(decoding: N.self)?.n ?? 0
    }

    /// One row written by hand or by a correction, before it is saved.
    static func apply(to p: Purchase, on db: any Database) async throws {
        guard p.reversesID == nil, try await !excluding([p.buyerRegionCode], on: db).isEmpty else { return }
        struct N: Decodable { let n: Int }
        let covered = try await (db as! any SQLDatabase).raw("""
            SELECT COUNT(*) AS n FROM (SELECT \(bind: p.originRegionCode) AS origin_region_code,
                \(bind: p.variety) AS variety, \(bind: p.purchasedOn) AS purchased_on) r
            WHERE NOT \(unsafeRaw: notCovered("r"))
            """).first(decoding: N.self)?.n ?? 0
        guard covered == 0 else { return }
        p.state = VerificationState.rejected.rawValue
        p.reason = reason
    }

    /// The page's choice: "count", "exclude", or nothing (unchanged).
    static func choice(_ form: String?) -> Bool? {
        ["count": true, "exclude": false][form ?? ""]
    }

    static func hasRule(on db: any Database) async throws -> Bool {
        try await LedgerSettings.query(on: db).filter(\.$uncertifiedCounts == false).count() > 0
    }
}
