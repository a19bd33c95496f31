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

    /// Summed in floating point: it is an average for comparison, and integer sums of many large rows could
    /// overflow.
    static func read(_ variety: String, unit: String, today: LocalDate, on db: any Database) async throws -> Fen? {
        struct Row: Decodable { let fen: Double?; let qty: Double? }
        let row = try await (db as! any SQLDatabase).raw("""
            SELECT SUM(CAST(amount_fen AS DOUBLE PRECISION)) AS fen, SUM(CAST(quantity_thousandths AS DOUBLE PRECISION)) AS qty
            FROM purchases
            WHERE variety = \(bind: variety) AND quantity_unit = \(bind: unit)
                AND purchased_on >= \(bind: today.adding(days: -90).description) AND \(unsafeRaw: Rollups.counted)
                AND reverses_id IS NULL AND amount_fen > 0
            """).first(decoding: Row.self)
        guard let fen = row?.fen, let qty = row?.qty, qty > 0 else { return nil }
        let perUnit = fen * 1_000 / qty
        guard perUnit.isFinite, perUnit >= 0, perUnit < Double(Fen.maxFen) else { return nil }
        return Fen(Int64(perUnit))
    }
}

struct MarketPricesKey: StorageKey { typealias Value = MarketPrices }

extension Application {
    var marketPrices: MarketPrices { storage[MarketPricesKey.self]! }
}
