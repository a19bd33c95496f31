import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation

/// Writes an import's ledger rows past the ORM and SQLKit's per-value encoding, the import's hot path:
/// PostgreSQL takes them as one `COPY … FROM STDIN` stream, SQLite as multi-row inserts bound with its own values.
/// The columns an import never sets (reason, reversal and correction links) are left to their NULL default.
enum BulkInsert {
    static let columns = ["buyer_unit_id", "buyer_region_code", "buyer_system_id", "purchased_on", "booked_on", "origin_region_code",
                          "supplier_id", "from_deep_poverty", "seller_masked", "seller_key", "households_touched", "variety",
                          "quantity_thousandths", "quantity_unit", "amount_fen", "purpose", "channel_code", "via_platform", "source",
                          "source_ref", "reporter", "state", "suspected_duplicate_of",
                          "duplicate_of", "note", "import_batch",
                          "created_at"]

    /// One value of a row, in `columns` order.
    enum Cell { case int(Int?), text(String?), bool(Bool) }

    static func cells(_ r: PurchaseRow, batch: String) -> [Cell] {
        [.int(r.buyerUnitID), .text(r.buyerRegionCode), .int(r.buyerSystemID), .text(r.purchasedOn), .text(r.bookedOn),
         .text(r.originRegionCode), .int(r.supplierID), .bool(r.fromDeepPoverty), .text(r.sellerMasked), .text(r.sellerKey),
         .int(r.householdsTouched), .text(r.variety), .int(Int(r.quantityThousandths)), .text(r.quantityUnit), .int(Int(r.amountFen)),
         .text(r.purpose), .text(r.channelCode), .bool(r.viaPlatform), .text(r.source), .text(r.sourceRef), .text(r.reporter),
         .text(r.state), .int(r.suspectedDuplicateOf), .int(r.duplicateOf), .text(r.note), .text(batch)]
    }

    static func purchases(_ rows: [PurchaseRow], batch: String, on db: any Database) async throws {
        let now = Date()
        if let pg = db as? any PostgresDatabase {
            try await copy(rows, batch: batch, at: now, into: pg)
        } else {
            try await insert(rows, batch: batch, at: now, into: db as! any SQLiteDatabase)
        }
    }

    private static func insert(_ rows: [PurchaseRow], batch: String, at now: Date, into db: any SQLiteDatabase) async throws {
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        for slice in rows.chunked(500) {
            var binds: [SQLiteData] = []
            binds.reserveCapacity(slice.count * columns.count)
            for r in slice {
                for cell in cells(r, batch: batch) {
                    switch cell {
                    case .int(let v): binds.append(v.map { .integer($0) } ?? .null)
                    case .text(let v): binds.append(v.map { .text($0) } ?? .null)
                    case .bool(let v): binds.append(.integer(v ? 1 : 0))
                    }
                }
                binds.append(now.sqliteData ?? .null)
            }
            _ = try await db.query("""
                INSERT INTO purchases (\(columns.joined(separator: ", "))) VALUES \(Array(repeating: placeholders, count: slice.count).joined(separator: ","))
                """, binds)
        }
    }

    /// COPY's text format: tab between values, `\N` for NULL, and backslash escapes for the four characters it reserves.
    private static func copy(_ rows: [PurchaseRow], batch: String, at now: Date, into db: any PostgresDatabase) async throws {
        let stamp = now.formatted(.iso8601)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(rows.count * 256)
        for r in rows {
            for cell in cells(r, batch: batch) {
                switch cell {
                case .int(let v): buffer.writeString(v.map(String.init) ?? "\\N")
                case .text(let v): buffer.writeString(v.map(escaped) ?? "\\N")
                case .bool(let v): buffer.writeString(v ? "t" : "f")
                }
                buffer.writeInteger(UInt8(ascii: "\t"))
            }
            buffer.writeString(stamp)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        let data = buffer, logger = db.logger
        try await db.withConnection { conn in
            conn.eventLoop.makeFutureWithTask {
                try await conn.copyFrom(table: "purchases", columns: columns, logger: logger) { try await $0.write(data) }
            }
        }.get()
    }

    private static func escaped(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
        else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }
}
