import BangfuKit
import Fluent
import FluentPostgresDriver
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
        // No key is in a sheet twice (`Attachment1.parse` refuses a repeated place, seller and variety).
        let households = try await OfferService.householdSuppliers(Set(drafts.compactMap(\.supplierID)), on: db)
        let stamp = Stamp(updatedOn: today.description, source: source,
                          deepPoverty: try await OfferFlags.deepPoverty(among: Set(drafts.map(\.region)), on: db))
        var report = ImportReport()
        // The next chunk's lines are hashed, and a chunk's new rows sealed and bound, on other threads while this
        // chunk is looked up and the one before is written.
        let chunks = drafts.chunked(chunkSize)
        var hashing = chunks.first.map { lines($0, households: households, cipher: cipher) }
        var building: Task<[[BulkRows.Cell]], any Error>?
        defer {  // a write that failed leaves nothing to hash or build for
            hashing?.cancel()
            building?.cancel()
        }
        var next = 1
        while let current = hashing {
            let chunk = try await current.value
            hashing = next < chunks.count ? lines(chunks[next], households: households, cipher: cipher) : nil
            next += 1
            let known = try await stored(chunk.map(\.key), on: db)
            var fresh: [Line] = [], differing: [Int: Line] = [:]
            for line in chunk {
                guard let (id, hash) = known[line.key] else {
                    fresh.append(line)
                    continue
                }
                if hash == line.fingerprint {
                    report.unchanged += 1
                } else {
                    differing[id] = line
                }
            }
            let previous = building
            building = Task.detached { [fresh] in
                try fresh.map {
                    try Task.checkCancellation()
                    return try row($0, cipher: cipher, stamp)
                }
            }
            if let previous { try await insert(try await previous.value, on: db) }
            let updated = try await update(differing, cipher: cipher, today: today, on: db)
            report.created += fresh.count
            report.updated += updated
            report.unchanged += differing.count - updated
        }
        if let building { try await insert(try await building.value, on: db) }
        guard report.created + report.updated > 0 else { return report }
        try await Audit.record(origin, on: db, action: "import", entity: "offer", id: nil, region: region,
                               after: ["source": source, "created": "\(report.created)", "updated": "\(report.updated)",
                                       "unchanged": "\(report.unchanged)"])
        return report
    }

    /// A line of the file with the keyed hashes that find it and tell whether it changed.
    struct Line: Sendable {
        let draft: OfferService.Draft
        let households: Bool
        let key: String
        let fingerprint: String
    }

    /// A chunk's lines, hashed on another thread.
    static func lines(_ drafts: ArraySlice<OfferService.Draft>, households named: Set<Int>,
                      cipher: FieldCipher) -> Task<[Line], any Error> {
        Task.detached {
            try drafts.map { d in
                try Task.checkCancellation()
                let households = OfferService.isHouseholds(d, householdSuppliers: named)
                return Line(draft: d, households: households, key: OfferService.key(d, cipher: cipher),
                            fingerprint: OfferService.fingerprint(d, households: households, cipher: cipher))
            }
        }
    }

    /// The chunk's offers already kept: id and fingerprint by key.
    static func stored(_ keys: [String], on db: any Database) async throws -> [String: (Int, String?)] {
        if let pg = db as? any PostgresDatabase { return try await probed(keys, on: pg) }
        var known: [String: (Int, String?)] = [:]
        let rows = try await (db as! any SQLDatabase).select().columns("id", "offer_key", "content_hash")
            .from(Offer.schema).where("offer_key", .in, keys).all()
        for row in rows {
            let key = try row.decode(column: "offer_key", as: String.self)
            known[key] = (try row.decode(column: "id", as: Int.self),
                          try row.decode(column: "content_hash", as: String?.self))
        }
        return known
    }

    /// PostgreSQL probes the key's index once a key. Asked with `IN`, its planner scans the whole table whenever
    /// its statistics lag (as a first import's table grows inside one transaction): 25 ms a 2,000-key chunk at
    /// 100,000 offers against 9 ms, and ten times that at a million. `LIMIT 1` keeps each probe a probe; a plain
    /// join may be hashed over the whole table the same way. Rows are decoded by PostgresNIO, not by SQLKit's
    /// `Decodable` path, which was most of a re-import's lookup time.
    static func probed(_ keys: [String], on db: any PostgresDatabase) async throws -> [String: (Int, String?)] {
        let query: PostgresQuery = """
            SELECT o.id, o.offer_key, o.content_hash FROM unnest(\(keys)::text[]) AS k(key) CROSS JOIN LATERAL
                (SELECT id, offer_key, content_hash FROM \(unescaped: Offer.schema) WHERE offer_key = k.key LIMIT 1) AS o
            """
        let logger = db.logger
        return try await db.withConnection { conn in
            conn.eventLoop.makeFutureWithTask {
                var known: [String: (Int, String?)] = [:]
                let rows = try await conn.query(query, logger: logger)
                for try await (id, key, hash) in rows.decode((Int, String, String?).self) {
                    known[key] = (id, hash)
                }
                return known
            }
        }.get()
    }

    /// Lines whose fingerprint differs: saved when what they say changed (a line kept before fingerprints were
    /// only has its fingerprint stored). How many changed.
    static func update(_ lines: [Int: Line], cipher: FieldCipher, today: LocalDate,
                       on db: any Database) async throws -> Int {
        guard !lines.isEmpty else { return 0 }
        var changed: [Int] = []
        for offer in try await Offer.query(on: db).filter(\.$id ~~ Array(lines.keys)).all() {
            guard let line = lines[offer.id!] else { continue }
            if try OfferService.apply(line.draft, to: offer, key: offer.offerKey, households: line.households,
                                      cipher: cipher) {
                offer.updatedOn = today.description
                changed.append(offer.id!)
            }
            try await offer.save(on: db)
        }
        try await OfferFlags.refresh(on: db, ids: changed)
        try await CatalogueListings.sync(changed, today: today, on: db)
        return changed.count
    }

    /// New offers' rows (none is listed yet: nothing is certified before it exists).
    static func insert(_ rows: [[BulkRows.Cell]], on db: any Database) async throws {
        try await BulkRows.write(rows, into: Offer.schema, columns: columns, on: db)
    }

    static let columns = [
        "region_code", "supplier_id", "seller_sealed", "seller_masked", "offer_key", "seller_key", "category",
        "variety", "quantity_thousandths", "quantity_unit", "reserved_thousandths", "deep_poverty", "price_fen",
        "price_unit", "supply_method", "shop_url", "contact_name", "contact_phone", "contact_sealed", "quality_marks",
        "linked_households", "note", "updated_on", "source", "content_hash",
    ]

    /// A new offer's row in `columns`' order, as `OfferService.apply` fills a model: built from the line without
    /// one, as Fluent's property wrappers and reflection cost more than the insert.
    static func row(_ line: Line, cipher: FieldCipher, _ stamp: Stamp) throws -> [BulkRows.Cell] {
        let d = line.draft
        let contact = try ContactLine(name: d.contactName, phone: d.contactPhone)
            .stored(household: line.households, cipher: cipher)
        return [
            .text(d.region.digits), .int(d.supplierID), .text(try cipher.seal(d.seller)), .text(Mask.name(d.seller)),
            .text(line.key), .text(OfferService.sellerKey(d, cipher: cipher)), .text(d.category.rawValue),
            .text(d.variety), .int(Int(d.quantity.thousandths)), .text(d.quantity.unit), .int(0),
            .bool(stamp.deepPoverty.contains(d.region)), .int(Int(d.price.fen.value)), .text(d.price.unit),
            .text(d.method.rawValue), .text(d.shopURL), .text(contact.name), .text(contact.phone),
            .text(contact.sealed), .text(d.marks.map(\.rawValue).joined(separator: ",")), .int(d.linkedHouseholds),
            .text(d.note), .text(stamp.updatedOn), .text(stamp.source), .text(line.fingerprint),
        ]
    }

    /// What every new offer of a file shares: the day, the source and which of its places are 原深度贫困.
    struct Stamp: Sendable {
        let updatedOn: String
        let source: String
        let deepPoverty: Set<RegionCode>
    }
}
