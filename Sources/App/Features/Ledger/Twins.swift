import BangfuKit
import Fluent
import SQLKit

/// Likely twins (`LedgerCounting.likelySame`: same buyer, seller, product and amount, dates close), for a form
/// entry and for an import chunk alike: one query for the rows given, narrowed by the likely-twin index.
enum Twins {
    struct Known: Decodable {
        let id: Int, buyer_unit_id: Int, seller_key: String, amount_fen: Int64, variety: String, purchased_on: String, source: String
    }
    struct Key: Hashable { let unit: Int, seller: String, fen: Int64, variety: String }

    /// Marks the rows whose twin is already in the ledger; returns the pairs (row, earlier row) that are twins
    /// within `rows`, to flag once they have ids.
    static func mark(_ rows: inout [PurchaseRow], on db: any Database) async throws -> [(Int, Int)] {
        let days = rows.compactMap { LocalDate($0.purchasedOn) }
        guard let first = days.min(), let last = days.max() else { return [] }
        // Looked up by the exact (buyer, seller, amount) of each row, through the likely-twin index on (buyer, amount):
        // separate IN lists on the columns would leave the planner scanning every row of the chunk's buyers.
        struct Probe: Hashable { let unit: Int, seller: String, fen: Int64 }
        let probes = Set(rows.map { Probe(unit: $0.buyerUnitID, seller: $0.sellerKey, fen: $0.amountFen) })
        let values = probes.map { k -> SQLQueryString in "(\(bind: k.unit), \(bind: k.seller), \(bind: k.fen))" }
        let known = try await (db as! any SQLDatabase).raw("""
            WITH wanted (buyer_unit_id, seller_key, amount_fen) AS (VALUES \(values.joined(separator: ", ")))
            SELECT p.id, p.buyer_unit_id, p.seller_key, p.amount_fen, p.variety, p.purchased_on, p.source
            FROM wanted JOIN purchases p ON p.buyer_unit_id = wanted.buyer_unit_id AND p.seller_key = wanted.seller_key
                AND p.amount_fen = wanted.amount_fen
            WHERE p.duplicate_of IS NULL AND p.reverses_id IS NULL
                AND p.purchased_on >= \(bind: first.adding(days: -3).description) AND p.purchased_on <= \(bind: last.adding(days: 3).description)
            ORDER BY p.id
            """).all(decoding: Known.self)
        let byKey = Dictionary(grouping: known) { Key(unit: $0.buyer_unit_id, seller: $0.seller_key, fen: $0.amount_fen, variety: $0.variety) }
        var earlier: [Key: [Int]] = [:], inFile: [(Int, Int)] = []
        for i in rows.indices {
            let p = rows[i], k = Key(unit: p.buyerUnitID, seller: p.sellerKey, fen: p.amountFen, variety: p.variety)
            if let twin = byKey[k]?.first(where: { same(p, unit: $0.buyer_unit_id, seller: $0.seller_key, variety: $0.variety, fen: $0.amount_fen, day: $0.purchased_on) }) {
                link(&rows[i], to: twin)
            } else if let j = earlier[k]?.first(where: { same(p, rows[$0]) }) {
                inFile.append((i, j))
            }
            earlier[k, default: []].append(i)
        }
        return inFile
    }

    static func same(_ p: PurchaseRow, _ q: PurchaseRow) -> Bool {
        same(p, unit: q.buyerUnitID, seller: q.sellerKey, variety: q.variety, fen: q.amountFen, day: q.purchasedOn)
    }

    static func same(_ p: PurchaseRow, unit: Int, seller: String, variety: String, fen: Int64, day: String) -> Bool {
        guard let a = LocalDate(p.purchasedOn), let b = LocalDate(day) else { return false }
        return LedgerCounting.likelySame(buyer: p.buyerUnitID, unit, seller: p.sellerKey, seller, variety: p.variety, variety,
                                         amount: Fen(p.amountFen), Fen(fen), on: a, b)
    }

    /// The same purchase on the same day from another source (附件2 and 附件3) is linked at once; anything
    /// less certain waits for an office to confirm or separate it.
    static func link(_ p: inout PurchaseRow, to twin: Known) {
        if twin.purchased_on == p.purchasedOn && twin.source != p.source { p.duplicateOf = twin.id } else { p.suspectedDuplicateOf = twin.id }
    }
}
