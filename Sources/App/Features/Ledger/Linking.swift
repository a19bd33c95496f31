import BangfuKit
import Fluent

/// A duplicate linked to the row that counts (a 附件2 row and the 附件3 row of the same sale): the counted row
/// takes the facts the duplicate knows better (`LinkedReports`) and its proof files, and keeps the row each fact
/// came from as provenance, so that linking never loses what either source said.
enum Linking {
    /// Merges `duplicate` into the row `countedID` (nothing when nil), in the caller's transaction. Rows past
    /// `rolledUpThrough` belong to an import not yet summed into the rollups, which sums them as they end up.
    static func absorb(into countedID: Int?, from duplicate: Purchase,
                       rolledUpThrough: Int = .max, origin: Audit.Origin,
                       on db: any Database) async throws {
        guard let countedID, let counted = try await Purchase.find(countedID, on: db) else { return }
        // A reversed row's facts stay as its reversal states them, or the pair would no longer net to zero.
        guard try await Purchase.query(on: db).filter(\.$reversesID == countedID).count() == 0 else { return }
        try await copyProofs(from: duplicate, to: counted, on: db)
        let facts = LinkedReports.taken(counted: report(counted), duplicate: report(duplicate))
        guard !facts.isEmpty, try await !LedgerService.isLocked(counted, on: db) else { return }
        let before = PurchaseDTO(counted), rolledUp = counted.id! <= rolledUpThrough
        if rolledUp { try await Rollups.add(counted, sign: -1, on: db) }
        var provenance = counted.provenance
        for fact in facts {
            switch fact {
            case .purpose: counted.purpose = duplicate.purpose
            case .householdsTouched: counted.householdsTouched = duplicate.householdsTouched
            }
            provenance[fact.rawValue] = duplicate.id
        }
        counted.provenance = provenance
        try await counted.save(on: db)
        if rolledUp { try await Rollups.add(counted, sign: 1, on: db) }
        try await Audit.record(origin, on: db, action: "take_linked_facts", entity: "purchase", id: counted.id,
                               region: counted.originRegionCode, before: before, after: PurchaseDTO(counted))
    }

    /// The rows an import linked to rows already in the ledger (`ids`: the new rows), each merged in turn.
    static func absorb(imported ids: [Int], rolledUpThrough: Int, origin: Audit.Origin,
                       on db: any Database) async throws {
        guard !ids.isEmpty else { return }
        for duplicate in try await Purchase.query(on: db).filter(\.$id ~~ ids).sort(\.$id).all() {
            try await absorb(into: duplicate.duplicateOf, from: duplicate, rolledUpThrough: rolledUpThrough,
                             origin: origin, on: db)
        }
    }

    static func report(_ p: Purchase) -> LinkedReports.Report {
        LinkedReports.Report(source: PurchaseSource(rawValue: p.source) ?? .manual,
                             purpose: PurchasePurpose(rawValue: p.purpose) ?? .other,
                             householdsTouched: p.householdsTouched)
    }

    /// The duplicate's proof files, attached to the counted row unless it already holds the same file.
    static func copyProofs(from duplicate: Purchase, to counted: Purchase, on db: any Database) async throws {
        let held = Set(try await proofs(of: counted.id!, on: db).map(\.sha256))
        for proof in try await proofs(of: duplicate.id!, on: db) where !held.contains(proof.sha256) {
            try await proof.copy(to: counted.id!).create(on: db)
        }
    }

    static func proofs(of id: Int, on db: any Database) async throws -> [Attachment] {
        try await Attachment.query(on: db).filter(\.$entity == "purchase").filter(\.$entityID == id).all()
    }
}
