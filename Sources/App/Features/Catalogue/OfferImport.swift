import BangfuKit
import Fluent
import SQLKit

/// The one batched path of 附件1 files and the API's bulk import, as the ledger's importer goes: a chunk of lines at
/// a time, one lookup of the offers they name, multi-row inserts of the new ones, the changed ones saved, their
/// flags and search terms rewritten together, and one audit entry for the file with its counts. The same file twice
/// writes nothing, not even that entry: it costs the reading and one lookup a chunk.
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
            let keys = Array(chunk)
            let known = try await Offer.query(on: db).filter(\.$offerKey ~~ keys).all()
            let existing = Dictionary(known.map { ($0.offerKey, $0) }, uniquingKeysWith: { a, _ in a })
            var fresh: [Offer] = [], changed: [Offer] = []
            for key in keys {
                guard let d = byKey[key] else { continue }
                let offer = existing[key] ?? Offer()
                let households = try await OfferService.isHouseholds(d, on: db)
                guard try OfferService.apply(d, to: offer, key: key, households: households, cipher: cipher) else {
                    report.unchanged += 1
                    continue
                }
                offer.updatedOn = today.description
                if offer.id == nil {
                    offer.source = source
                    fresh.append(offer)
                } else {
                    changed.append(offer)
                }
            }
            try await store(fresh: fresh, changed: changed, on: db)
            report.created += fresh.count
            report.updated += changed.count
        }
        guard report.created + report.updated > 0 else { return report }
        try await Audit.record(origin, on: db, action: "import", entity: "offer", id: nil, region: region,
                               after: ["source": source, "created": "\(report.created)", "updated": "\(report.updated)",
                                       "unchanged": "\(report.unchanged)"])
        return report
    }

    /// New offers many a statement (their ids read back by key), changed ones saved; then flags and terms of all.
    static func store(fresh: [Offer], changed: [Offer], on db: any Database) async throws {
        for batch in fresh.chunked(500) { try await Array(batch).create(on: db) }
        let created = fresh.isEmpty ? []
            : try await Offer.query(on: db).filter(\.$offerKey ~~ fresh.map(\.offerKey)).all()
        for offer in changed { try await offer.save(on: db) }
        let written = created + changed
        guard !written.isEmpty else { return }
        try await OfferFlags.refresh(on: db, ids: written.compactMap(\.id))
        try await OfferService.reindex(written, on: db)
    }
}
