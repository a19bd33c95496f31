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

    struct WeekRow: Decodable {
        let id: Int, product_id: Int, region_code: String, source: String, week: Int
    }

    /// Re-makes the weeks named, in one read of their points and one of their rows per product set.
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
        let existing = try await sql.raw("""
            SELECT id, product_id, region_code, source, week FROM price_weeks
            WHERE week IN (\(binds: weeks)) AND product_id IN (\(binds: products))
            """).all(decoding: WeekRow.self)
        let ids = Dictionary(existing.map {
            (Key(product: $0.product_id, region: $0.region_code, source: $0.source, week: $0.week), $0.id)
        }, uniquingKeysWith: { a, _ in a })
        for key in keys {
            let rows = grouped[key] ?? []
            let kept = rows.filter { !$0.outlier }
            guard let median = PriceWatch.median((kept.isEmpty ? rows : kept).map(\.price_fen)) else {
                if let id = ids[key] { try await sql.raw("DELETE FROM price_weeks WHERE id = \(bind: id)").run() }
                continue
            }
            if let id = ids[key] {
                try await sql.raw("""
                    UPDATE price_weeks SET price_fen = \(bind: median), points = \(bind: rows.count), state = NULL
                    WHERE id = \(bind: id)
                    """).run()
            } else {
                try await sql.raw("""
                    INSERT INTO price_weeks (product_id, region_code, source, week, price_fen, points, level)
                    VALUES (\(bind: key.product), \(bind: key.region), \(bind: key.source), \(bind: key.week),
                        \(bind: median), \(bind: rows.count), 0)
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
