import BangfuKit
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// A variety's market price: its counted price per unit over the ledger's last 90 days, read once a day per
/// variety and unit (a province's ledger is millions of rows; a need's page must not sum them each time).
final class MarketPrices: Sendable {
    private struct Key: Hashable { let variety: String, unit: String, day: LocalDate }
    private let cache = NIOLockedValueBox([Key: Fen?]())

    func price(_ variety: String, unit: String, today: LocalDate, on db: any Database) async throws -> Fen? {
        let key = Key(variety: variety, unit: unit, day: today)
        if let known = cache.withLockedValue({ $0[key] }) { return known }
        let fen = try await Self.read(variety, unit: unit, today: today, on: db)
        cache.withLockedValue { held in
            if held.count > 10_000 { held.removeAll() }
            held[key] = fen
        }
        return fen
    }

    /// The median price per unit of the variety's latest counted rows (at most 500) over 90 days, in 分: robust to
    /// one odd row, exact in integers, and bounded whatever the ledger's size.
    static func read(_ variety: String, unit: String, today: LocalDate, on db: any Database) async throws -> Fen? {
        struct Row: Decodable { let amount_fen: Int64; let quantity_thousandths: Int64 }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT amount_fen, quantity_thousandths FROM purchases
            WHERE variety = \(bind: variety) AND quantity_unit = \(bind: unit)
                AND purchased_on >= \(bind: today.adding(days: -90).description) AND \(unsafeRaw: Rollups.counted)
                AND reverses_id IS NULL AND amount_fen > 0 AND quantity_thousandths > 0
            ORDER BY purchased_on DESC, id DESC
            LIMIT 500
            """).all(decoding: Row.self)
        let prices = rows.compactMap { r -> Int64? in
            let (scaled, overflow) = r.amount_fen.multipliedReportingOverflow(by: 1_000)
            return overflow ? nil : scaled / r.quantity_thousandths
        }.sorted()
        guard !prices.isEmpty else { return nil }
        return Fen(prices[prices.count / 2])
    }
}

struct MarketPricesKey: StorageKey { typealias Value = MarketPrices }

extension Application {
    var marketPrices: MarketPrices { storage[MarketPricesKey.self]! }
}
