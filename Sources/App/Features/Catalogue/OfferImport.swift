import BangfuKit
import Fluent
import SQLKit

/// The one batched path of 附件1 files and the API's bulk import, as the ledger's importer goes: a chunk of lines at
/// a time, one lookup of the offers they name (key and fingerprint only), multi-row inserts of the new ones, the
/// changed ones saved with their flags and listings, and one audit entry for the file with its counts. The same file
/// twice writes nothing, not even that entry: it costs the reading and one lookup a chunk.
enum OfferImport {
    static let chunkSize = 2_000

    static func write(_ drafts: [OfferService.Draft], source: String, origin: Audit.Origin, cipher: FieldCipher,
                      today: LocalDate, region: String?, on db: any Database) async throws -> ImportReport {
        try await db.readyForBulkWrites()
        // A line repeated later in the file replaces the earlier one, as saving them in turn would.
        var order: [String] = [], byKey: [String: OfferService.Draft] = [:]
        for d in drafts {
            let key = OfferService.key(d, cipher: cipher)
            if byKey[key] == nil { order.append(key) }
            byKey[key] = d
        }
        var report = ImportReport()
        for chunk in order.chunked(chunkSize) {
            let known = try await stored(Array(chunk), on: db)
            var fresh: [Offer] = [], differing: [Int: OfferService.Draft] = [:]
            for key in chunk {
                guard let d = byKey[key] else { continue }
                let households = try await OfferService.isHouseholds(d, on: db)
                if let (id, hash) = known[key] {
                    if hash == OfferService.fingerprint(d, households: households, cipher: cipher) {
                        report.unchanged += 1
                    } else {
                        differing[id] = d
                    }
                    continue
                }
                let offer = Offer()
                _ = try OfferService.apply(d, to: offer, key: key, households: households, cipher: cipher)
                (offer.updatedOn, offer.source) = (today.description, source)
                fresh.append(offer)
            }
            let updated = try await update(differing, cipher: cipher, today: today, on: db)
            try await insert(fresh, on: db)
            report.created += fresh.count
            report.updated += updated
            report.unchanged += differing.count - updated
        }
        guard report.created + report.updated > 0 else { return report }
        try await Audit.record(origin, on: db, action: "import", entity: "offer", id: nil, region: region,
                               after: ["source": source, "created": "\(report.created)", "updated": "\(report.updated)",
                                       "unchanged": "\(report.unchanged)"])
        return report
    }

    /// The chunk's offers already kept: id and fingerprint by key.
    static func stored(_ keys: [String], on db: any Database) async throws -> [String: (Int, String?)] {
        let rows = try await (db as! any SQLDatabase).select().columns("id", "offer_key", "content_hash")
            .from(Offer.schema).where("offer_key", .in, keys).all()
        var known: [String: (Int, String?)] = [:]
        for row in rows {
            let key = try row.decode(column: "offer_key", as: String.self)
            known[key] = (try row.decode(column: "id", as: Int.self),
                          try row.decode(column: "content_hash", as: String?.self))
        }
        return known
    }

    /// Lines whose fingerprint differs: saved when what they say changed (a line kept before fingerprints were
    /// only has its fingerprint stored). How many changed.
    static func update(_ drafts: [Int: OfferService.Draft], cipher: FieldCipher, today: LocalDate,
                       on db: any Database) async throws -> Int {
        guard !drafts.isEmpty else { return 0 }
        var changed: [Int] = []
        for offer in try await Offer.query(on: db).filter(\.$id ~~ Array(drafts.keys)).all() {
            guard let d = drafts[offer.id!] else { continue }
            let households = try await OfferService.isHouseholds(d, on: db)
            if try OfferService.apply(d, to: offer, key: offer.offerKey, households: households, cipher: cipher) {
                offer.updatedOn = today.description
                changed.append(offer.id!)
            }
            try await offer.save(on: db)
        }
        try await OfferFlags.refresh(on: db, ids: changed)
        try await CatalogueListings.sync(changed, today: today, on: db)
        return changed.count
    }

    /// New offers, 500 a statement (none is listed yet: nothing is certified before it exists).
    static func insert(_ offers: [Offer], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        var ids: [Int] = []
        for batch in offers.chunked(500) {
            ids += try await sql.insert(into: Offer.schema).columns(columns).rows(batch.map(values))
                .returning("id").all(decodingColumn: "id", as: Int.self)
        }
        try await OfferFlags.refresh(on: db, ids: ids)
    }

    static let columns = [
        "region_code", "supplier_id", "seller_sealed", "seller_masked", "offer_key", "seller_key", "category",
        "variety", "quantity_thousandths", "quantity_unit", "reserved_thousandths", "deep_poverty", "price_fen",
        "price_unit", "supply_method", "shop_url", "contact_name", "contact_phone", "contact_sealed", "quality_marks",
        "linked_households", "note", "updated_on", "source", "content_hash",
    ]

    /// An offer's row in `columns`' order: written directly, as Fluent's reflection cost more than the insert.
    static func values(_ o: Offer) -> [any SQLExpression] {
        [SQLBind(o.regionCode), SQLBind(o.$supplier.id), SQLBind(o.sellerSealed), SQLBind(o.sellerMasked),
         SQLBind(o.offerKey), SQLBind(o.sellerKey), SQLBind(o.category), SQLBind(o.variety),
         SQLBind(o.quantityThousandths), SQLBind(o.quantityUnit), SQLBind(o.reservedThousandths),
         SQLBind(o.deepPoverty), SQLBind(o.priceFen), SQLBind(o.priceUnit), SQLBind(o.supplyMethod),
         SQLBind(o.shopURL), SQLBind(o.contactName), SQLBind(o.contactPhone), SQLBind(o.contactSealed),
         SQLBind(o.qualityMarks), SQLBind(o.linkedHouseholds), SQLBind(o.note), SQLBind(o.updatedOn),
         SQLBind(o.source), SQLBind(o.contentHash)]
    }
}
