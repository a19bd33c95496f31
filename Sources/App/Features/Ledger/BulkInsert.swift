import Fluent
import Foundation
import SQLKit

/// Multi-row inserts of ledger rows without the ORM's per-model reflection: an import's hot path.
enum BulkInsert {
    static let columns = ["buyer_unit_id", "buyer_region_code", "buyer_system_id", "purchased_on", "booked_on", "origin_region_code",
                          "supplier_id", "from_deep_poverty", "seller_masked", "seller_key", "households_touched", "variety",
                          "quantity_thousandths", "quantity_unit", "amount_fen", "purpose", "channel_code", "via_platform", "source",
                          "source_ref", "reporter", "state", "reason", "suspected_duplicate_of", "duplicate_of", "reverses_id",
                          "replaces_id", "import_batch", "created_at"]

    static func purchases(_ rows: [Purchase], batch: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase, now = Date()
        for slice in rows.chunked(400) {
            let values = slice.map { p -> SQLQueryString in
                let row: [any Encodable & Sendable] = [
                    p.$buyerUnit.id, p.buyerRegionCode, p.buyerSystemID, p.purchasedOn, p.bookedOn, p.originRegionCode,
                    p.$supplier.id, p.fromDeepPoverty, p.sellerMasked, p.sellerKey, p.householdsTouched, p.variety,
                    p.quantityThousandths, p.quantityUnit, p.amountFen, p.purpose, p.channelCode, p.viaPlatform, p.source,
                    p.sourceRef, p.reporter, p.state, p.reason, p.suspectedDuplicateOf, p.duplicateOf, p.reversesID,
                    p.replacesID, batch, now]
                return "(\(binds: row))"
            }
            try await sql.raw("""
                INSERT INTO purchases (\(unsafeRaw: columns.joined(separator: ", "))) VALUES \(values.joined(separator: ", "))
                """).run()
        }
    }
}
