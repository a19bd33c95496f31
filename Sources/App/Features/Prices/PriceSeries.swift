import BangfuKit
import Fluent
import SQLKit

/// The weekly series kept from the collected points: one per product, place and source, the week's median of its
/// points (outliers left out where others remain). A week whose points change is judged again, and so is every
/// later week of its series (their state follows from it).
enum PriceSeries {
    struct Key: Hashable, Sendable {
        let product: Int, region: String, source: String, week: Int
    }

    /// The place a point's series is kept for: a village's price is its township's; a market keeps its own place.
    static func region(of code: String, source: PriceSource) -> String {
        guard source != .wholesale, let r = RegionCode(code), r.level > .township,
              let town = r.ancestor(at: .township) else { return code }
        return town.digits
    }

    struct PointRow: Decodable {
        let product_id: Int, region_code: String, source: String, week: Int, price_fen: Int64, outlier: Bool
    }

    /// Re-makes the weeks named from one read of their points.
    static func refresh(_ keys: Set<Key>, on db: any Database) async throws {
        guard !keys.isEmpty else { return }
        let sql = db as! any SQLDatabase
        let weeks = Array(Set(keys.map(\.week))), products = Array(Set(keys.map(\.product)))
        let points = try await sql.raw("""
            SELECT product_id, region_code, source, week, price_fen, outlier FROM price_points
            WHERE week IN (\(binds: weeks)) AND product_id IN (\(binds: products))
            """).all(decoding: PointRow.self)
        let grouped = Dictionary(grouping: points) { p in
            let source = PriceSource(rawValue: p.source) ?? .farm
            return Key(product: p.product_id, region: region(of: p.region_code, source: source), source: p.source,
                       week: p.week)
        }
        for key in keys {
            let rows = grouped[key] ?? []
            let kept = rows.filter { !$0.outlier }
            if let median = PriceWatch.median((kept.isEmpty ? rows : kept).map(\.price_fen)) {
                // Two reports of one township's week at once both land: the second updates the first's row.
                try await sql.raw("""
                    INSERT INTO price_weeks (product_id, region_code, source, week, price_fen, points, level)
                    VALUES (\(bind: key.product), \(bind: key.region), \(bind: key.source), \(bind: key.week),
                        \(bind: median), \(bind: rows.count), 0)
                    ON CONFLICT (product_id, region_code, source, week)
                    DO UPDATE SET price_fen = excluded.price_fen, points = excluded.points, state = NULL
                    """).run()
            } else {
                try await sql.raw("""
                    DELETE FROM price_weeks
                    WHERE product_id = \(bind: key.product) AND region_code = \(bind: key.region)
                        AND source = \(bind: key.source) AND week = \(bind: key.week)
                    """).run()
            }
            try await sql.raw("""
                UPDATE price_weeks SET state = NULL WHERE product_id = \(bind: key.product)
                    AND region_code = \(bind: key.region) AND source = \(bind: key.source) AND week > \(bind: key.week)
                    AND state IS NOT NULL
                """).run()
        }
    }
}
