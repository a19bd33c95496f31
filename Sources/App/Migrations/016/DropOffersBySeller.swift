import Fluent
import SQLKit

/// Issue 17: the catalogue's seller index goes. Its keys are keyed hashes, so every imported line wrote a page
/// nowhere near the last one: at a million offers it was a third of SQLite's share of an import. The one query that
/// used it, a seller's offered quantities for the flag scan (`FlagScan.supply`), reads the sellers' villages through
/// `offers_region` instead: a seller's key is made with its village.
struct DropOffersBySeller: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "offers_by_seller").run()
    }

    func revert(on db: any Database) async throws {
        try await db.index("offers_by_seller", on: Offer.schema, "seller_key", "variety")
    }
}
