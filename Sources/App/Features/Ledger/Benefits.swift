import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Benefit attribution (利益联结): each counted purchase's amount goes to the household that sold it, or is
/// spread over the 脱贫户 a cooperative links; offices read how much reached how many households, by village.
enum Benefits {
    /// Adds or takes away the counted rows among those `rows` selects: a household's amount, the most households
    /// a cooperative's row touched, and the first month the household was reached.
    static func add(rows: SQLQueryString, sign: Int64, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO purchase_benefits (year, first_month, village_code, seller_key, households, amount_fen)
            SELECT CAST(substr(booked_on, 1, 4) AS INTEGER), MIN(substr(booked_on, 1, 7)), origin_region_code, seller_key,
                MAX(COALESCE(households_touched, 1)), \(bind: sign) * SUM(amount_fen)
            FROM purchases WHERE (\(rows)) AND \(unsafeRaw: Rollups.counted)
            GROUP BY CAST(substr(booked_on, 1, 4) AS INTEGER), origin_region_code, seller_key
            ON CONFLICT (year, village_code, seller_key) DO UPDATE SET
                amount_fen = purchase_benefits.amount_fen + excluded.amount_fen,
                households = CASE WHEN excluded.households > purchase_benefits.households THEN excluded.households ELSE purchase_benefits.households END,
                first_month = CASE WHEN excluded.first_month < purchase_benefits.first_month THEN excluded.first_month ELSE purchase_benefits.first_month END
            """).run()
    }

    struct Village: Content { let village_code: String; let households: Int; let amount_fen: Int64 }

    /// Households reached by the end of `through` and the year's amounts, by village, for the places under `prefix`.
    /// One row per household and year, so a household that sold in several months counts once.
    static func byVillage(under prefix: String, year: Int, through: String, on db: any Database) async throws -> [Village] {
        try await (db as! any SQLDatabase).raw("""
            SELECT village_code, CAST(SUM(households) AS BIGINT) AS households, CAST(SUM(amount_fen) AS BIGINT) AS amount_fen
            FROM purchase_benefits WHERE \(reached(under: prefix, year: year, through: through))
            GROUP BY village_code ORDER BY village_code
            """).all(decoding: Village.self)
    }

    /// The households `byVillage` lists, added up in SQL.
    static func householdsReached(under prefix: String, year: Int, through: String, on db: any Database) async throws -> Int {
        struct Sum: Decodable { let households: Int? }
        return try await (db as! any SQLDatabase).raw("""
            SELECT CAST(SUM(households) AS BIGINT) AS households FROM purchase_benefits WHERE \(reached(under: prefix, year: year, through: through))
            """).first(decoding: Sum.self)?.households ?? 0
    }

    private static func reached(under prefix: String, year: Int, through: String) -> SQLQueryString {
        "year = \(bind: year) AND first_month <= \(bind: through) AND amount_fen > 0 AND village_code LIKE \(bind: prefix + "%")"
    }
}
