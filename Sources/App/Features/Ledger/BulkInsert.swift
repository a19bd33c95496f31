import Fluent
import Foundation

/// An import's ledger rows as `BulkRows` writes them. The columns an import never sets (reason, reversal and
/// correction links) are left to their NULL default.
enum BulkInsert {
    static let columns = [
        "buyer_unit_id", "buyer_region_code", "buyer_system_id", "purchased_on", "booked_on", "origin_region_code",
        "supplier_id", "from_deep_poverty", "seller_masked", "seller_key", "households_touched", "variety",
        "quantity_thousandths", "quantity_unit", "amount_fen", "purpose", "channel_code", "via_platform", "source",
        "source_ref", "reporter", "state", "suspected_duplicate_of", "duplicate_of", "note", "import_batch",
        "created_at",
    ]

    static func cells(_ r: PurchaseRow, batch: String, at now: Date) -> [BulkRows.Cell] {
        [
            .int(r.buyerUnitID), .text(r.buyerRegionCode), .int(r.buyerSystemID), .text(r.purchasedOn),
            .text(r.bookedOn), .text(r.originRegionCode), .int(r.supplierID), .bool(r.fromDeepPoverty),
            .text(r.sellerMasked), .text(r.sellerKey), .int(r.householdsTouched), .text(r.variety),
            .int(Int(r.quantityThousandths)), .text(r.quantityUnit), .int(Int(r.amountFen)), .text(r.purpose),
            .text(r.channelCode), .bool(r.viaPlatform), .text(r.source), .text(r.sourceRef), .text(r.reporter),
            .text(r.state), .int(r.suspectedDuplicateOf), .int(r.duplicateOf), .text(r.note), .text(batch), .date(now),
        ]
    }

    static func purchases(_ rows: [PurchaseRow], batch: String, on db: any Database) async throws {
        let now = Date()
        let written = rows.map { cells($0, batch: batch, at: now) }
        try await BulkRows.write(written, into: Purchase.schema, columns: columns, on: db)
    }
}
