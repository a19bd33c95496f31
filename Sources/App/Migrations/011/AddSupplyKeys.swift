import Fluent
import SQLKit

/// An offer carries its seller's key as the ledger does (`lookupHash("place|seller")`), so a seller's ledger rows
/// can be set against what it offered; offers written before this are keyed here once, with the data key.
/// The incremental flag scan keeps the last ledger row it has read.
struct AddSupplyKeys: AsyncMigration {
    let cipher: FieldCipher

    func prepare(on db: any Database) async throws {
        try await db.schema(Offer.schema).field("seller_key", .string, .required, .sql(.default(""))).update()
        try await db.index("offers_by_seller", on: Offer.schema, "seller_key", "variety")
        try await db.transaction { db in
            var after = 0
            while true {
                // Only the columns this step reads: later migrations add others the table does not have yet.
                let offers = try await Offer.query(on: db).filter(\.$id > after).sort(\.$id).limit(2_000)
                    .field(\.$id).field(\.$regionCode).field(\.$sellerSealed).all()
                guard let last = offers.last?.id else { break }
                for o in offers {
                    // An offer whose seller cannot be opened keeps no key: it is never set against the ledger.
                    let seller = (try? cipher.open(o.sellerSealed)).map { cipher.lookupHash("\(o.regionCode)|\($0)") }
                    try await Offer.query(on: db).filter(\.$id == o.id!).set(\.$sellerKey, to: seller ?? "").update()
                }
                after = last
            }
        }
        try await db.schema(FlagScanMark.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("last_purchase_id", .int, .required)
            .create()
        // The ledger as it stands is scanned by period on demand; the scan after imports starts from here.
        let mark = FlagScanMark()
        mark.lastPurchaseID = try await Purchase.query(on: db).max(\.$id) ?? 0
        try await mark.create(on: db)
    }

    func revert(on db: any Database) async throws {
        try await db.schema(FlagScanMark.schema).delete()
    }
}
