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
        var after = 0
        while true {
            let offers = try await Offer.query(on: db).filter(\.$id > after).sort(\.$id).limit(2_000).all()
            guard let last = offers.last?.id else { break }
            for o in offers {
                let key = cipher.lookupHash("\(o.regionCode)|\(try cipher.open(o.sellerSealed))")
                try await Offer.query(on: db).filter(\.$id == o.id!).set(\.$sellerKey, to: key).update()
            }
            after = last
        }
        try await db.schema(FlagScanMark.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("last_purchase_id", .int, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(FlagScanMark.schema).delete()
    }
}
