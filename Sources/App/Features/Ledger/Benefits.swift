import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Benefit attribution (利益联结): each counted purchase's amount goes to the household that sold it, or is
/// spread over the 脱贫户 a cooperative links; offices read how much reached how many households, by village.
enum Benefits {
    static func add(_ rows: [Purchase], sign: Int64, on sql: any SQLDatabase) async throws {
        struct Key: Hashable { let month: String, village: String, seller: String }
        var sums: [Key: (households: Int, fen: Int64)] = [:]
        for p in rows {
            let k = Key(month: String(p.bookedOn.prefix(7)), village: p.originRegionCode, seller: p.sellerKey)
            let v = sums[k] ?? (1, 0)
            sums[k] = (max(v.households, p.householdsTouched ?? 1), v.fen + sign * p.amountFen)
        }
        for batch in Array(sums).chunked(500) {
            let values = batch.map { k, v -> SQLQueryString in
                "(\(bind: k.month), \(bind: k.village), \(bind: k.seller), \(bind: v.households), \(bind: v.fen))"
            }
            try await sql.raw("""
                INSERT INTO purchase_benefits (month, village_code, seller_key, households, amount_fen)
                VALUES \(values.joined(separator: ", "))
                ON CONFLICT (month, village_code, seller_key) DO UPDATE SET
                    amount_fen = purchase_benefits.amount_fen + excluded.amount_fen,
                    households = CASE WHEN excluded.households > purchase_benefits.households THEN excluded.households ELSE purchase_benefits.households END
                """).run()
        }
    }

    struct Village: Content { let village_code: String; let households: Int; let amount_fen: Int64 }

    /// Households reached and amounts, by village, for the places under `prefix` and the months `from`…`to`;
    /// a household that sold in several months counts once.
    static func byVillage(under prefix: String, from: String, to: String, on db: any Database) async throws -> [Village] {
        try await (db as! any SQLDatabase).raw("""
            SELECT village_code, CAST(SUM(h) AS BIGINT) AS households, CAST(SUM(a) AS BIGINT) AS amount_fen FROM (
                SELECT village_code, seller_key, MAX(households) AS h, SUM(amount_fen) AS a FROM purchase_benefits
                WHERE month >= \(bind: from) AND month <= \(bind: to) AND village_code LIKE \(bind: prefix + "%")
                GROUP BY village_code, seller_key HAVING SUM(amount_fen) > 0) AS reached
            GROUP BY village_code ORDER BY village_code
            """).all(decoding: Village.self)
    }

    static func householdsReached(under prefix: String, from: String, to: String, on db: any Database) async throws -> Int {
        try await byVillage(under: prefix, from: from, to: to, on: db).reduce(0) { $0 + $1.households }
    }
}
