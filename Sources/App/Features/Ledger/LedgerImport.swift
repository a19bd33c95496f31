import BangfuKit
import Fluent
import SQLKit
import Vapor

struct LedgerImportReport: Content {
    var read = 0, created = 0, skipped = 0, linked = 0
    var errors: [RowError] = []
    /// Errors beyond the first thousand are counted, not listed.
    var moreErrors = 0
    /// What was imported but deserves a look (a cooperative's row without its households), row by row.
    var warnings: [RowError] = []
    /// 带动户数 of the file's rows: a cooperative's count from its note, one household for every other row.
    var householdsTouched = 0
    /// Rows booked as not counted by the jurisdiction's rule on uncertified products (`UncertifiedRule`).
    var notCounted = 0
    /// Buyer names no registered unit or alias carries, each with the closest units, for an office to name.
    var unknownBuyers: [UnknownBuyer] = []

    struct UnknownBuyer: Content, Equatable {
        struct Candidate: Content, Equatable { let id: Int; let name: String }
        let name: String
        let rows: [Int]
        let candidates: [Candidate]
    }

    mutating func add(_ stored: LedgerImporter.Stored) { created += stored.created; linked += stored.linked }

    mutating func fail(_ e: RowError) {
        if errors.count < 1_000 { errors.append(e) } else { moreErrors += 1 }
    }
}

/// A rejected file whose report says more than its row errors (unknown buyers and the closest units).
struct RejectedImport: Error { let report: LedgerImportReport }

/// One row of an import file: its line and what it says, or why it could not be read at all.
enum ImportItem {
    case row(Int, PurchaseInput)
    case failure(RowError)
}

/// Imports a file's rows in one transaction, a chunk at a time: per chunk one query each for units,
/// places, rows already imported and likely twins, then multi-row inserts; the rollups once, for the whole file.
/// Every row's problem is reported in the file's own column names; any problem rejects the whole file.
struct LedgerImporter: Sendable {
    let source: PurchaseSource
    /// Field → the file's column name, for error reports.
    let columns: [String: String]
    /// What makes a row's `source_ref`: the platform's order id, or the file's fingerprint and the line.
    let fileTag: String
    let origin: Audit.Origin
    static let chunkSize = 2_000

    func reference(_ line: Int, _ input: PurchaseInput) -> String {
        source == .platform ? (input.orderId ?? "") : "\(fileTag):\(line)"
    }

    /// Each chunk is read and checked while the one before it is being written (the database works on its own
    /// threads), then looked up against the ledger once that write is done, so twins across chunks are still found.
    func run(context start: LedgerContext, on db: any Database, progress: (any ImportProgress)? = nil,
             items: Pull<ImportItem>) async throws -> LedgerImportReport {
        let report = try await db.writeTransaction { db in
            try await db.readyForBulkWrites()
            // The file's rows are those it inserts past the ledger's end, stamped with this run's batch.
            let end = try await Purchase.query(on: db).max(\.$id) ?? 0, batch = UUID().uuidString
            var context = start, report = LedgerImportReport(), writing: Task<Stored, any Error>?, restate = Self.chunkSize
            do {
                while let chunk = try read(items, &report) {
                    try await context.prepare(units: Set(chunk.compactMap(\.1.buyerUnitId)), origins: Set(chunk.compactMap(\.1.originRegionCode)), on: db)
                    let checked = try check(chunk, context: context)
                    if let done = try await writing?.value { report.add(done); progress?.update(report) }
                    if report.created >= restate {      // after 1, 2, 4, 8 … chunks' worth of rows
                        try await db.refreshStatistics(of: Purchase.schema)
                        restate *= 2
                    }
                    writing = try await store(checked, batch: batch, after: end, report: &report, on: db)
                }
                if let done = try await writing?.value { report.add(done) }
            } catch {
                _ = try? await writing?.value     // no write may outlive the transaction it belongs to
                throw error
            }
            guard report.errors.isEmpty else { throw ImportRejected(report.errors.sorted { ($0.row, $0.column) < ($1.row, $1.column) }) }
            let imported: SQLQueryString = "id > \(bind: end) AND import_batch = \(bind: batch)"
            report.notCounted = try await UncertifiedRule.apply(rows: imported, on: db)
            try await Rollups.add(rows: "id > \(bind: end) AND import_batch = \(bind: batch)", sign: 1, on: db)
            for table in [Purchase.schema, "purchase_benefits"] + Rollups.tables { try await db.refreshStatistics(of: table) }
            try await Audit.record(origin, on: db, action: "import", entity: "purchase", id: nil, region: nil,
                                   after: ["source": source.rawValue, "file": fileTag, "read": "\(report.read)", "created": "\(report.created)",
                                           "skipped": "\(report.skipped)", "linked": "\(report.linked)"])
            try await progress?.confirm(on: db)
            return report
        }
        Metrics.imported(rows: report.read, into: "purchases")
        return report
    }

    /// The next chunk of readable rows (nil at the end of the file); unreadable ones go straight to the report.
    private func read(_ items: Pull<ImportItem>, _ report: inout LedgerImportReport) throws -> [(Int, PurchaseInput)]? {
        var chunk: [(Int, PurchaseInput)] = []
        while chunk.count < Self.chunkSize, let item = try items.next() {
            report.read += 1
            switch item {
            case .row(let line, let input): chunk.append((line, input))
            case .failure(let e): report.fail(e)
            }
        }
        return chunk.isEmpty ? nil : chunk
    }

    /// A chunk's rows, each booked or refused, with its `source_ref`.
    struct Checked { let line: Int; let ref: String; let result: Result<PurchaseRow, RowError> }

    private func check(_ chunk: [(Int, PurchaseInput)], context: LedgerContext) throws -> [Checked] {
        try chunk.map { line, input in
            let ref = reference(line, input)
            func refused(_ field: String, _ code: String, _ message: String) -> Checked {
                Checked(line: line, ref: ref, result: .failure(RowError(row: line, column: columns[field] ?? field, code: code, message: message)))
            }
            do {
                var p = try context.build(input, source: source)
                p.sourceRef = ref
                return Checked(line: line, ref: ref, result: .success(p))
            } catch let e as FieldError {
                return refused(e.field, e.code, e.message)
            } catch let e as APIError where e.field != nil {
                return refused(e.field!, e.code, e.message)
            }
        }
    }

    struct Stored: Sendable { let created: Int; let linked: Int }

    /// Skips rows already in the ledger, marks likely twins, and starts writing the rest; the caller awaits the write.
    /// `after`: the ledger's last id before this file (rows past it are the file's, not yet in the rollups).
    private func store(_ checked: [Checked], batch: String, after end: Int, report: inout LedgerImportReport,
                       on db: any Database) async throws -> Task<Stored, any Error>? {
        var seen = Set(try await stored(checked.map(\.ref), on: db).keys)
        var rows: [PurchaseRow] = []
        for c in checked {
            guard !seen.contains(c.ref) else { report.skipped += 1; continue }      // already in the ledger: not summed again
            seen.insert(c.ref)
            switch c.result {
            case .success(let p): rows.append(p)
            case .failure(let e): report.fail(e)
            }
        }
        guard report.errors.isEmpty, !rows.isEmpty else { return nil }     // a failed file is still read to the end, for its report
        let inFile = try await Twins.mark(&rows, on: db)
        let written = rows, origin = origin
        return Task {
            try await BulkInsert.purchases(written, batch: batch, on: db)
            let linked = written.filter { $0.duplicateOf != nil }.compactMap(\.sourceRef)
            if !linked.isEmpty {
                let ids = Array(try await stored(linked, on: db).values)
                try await Linking.absorb(imported: ids, rolledUpThrough: end, origin: origin, on: db)
            }
            if !inFile.isEmpty {
                let ids = try await stored(written.compactMap(\.sourceRef), on: db)
                for (row, twin) in inFile {
                    try await Purchase.query(on: db).filter(\.$id == ids[written[row].sourceRef!]!).set(\.$suspectedDuplicateOf, to: ids[written[twin].sourceRef!]).update()
                }
            }
            return Stored(created: written.count, linked: written.filter { $0.duplicateOf != nil }.count)
        }
    }

    /// The rows of this source already in the ledger under these references: reference → id.
    private func stored(_ refs: [String], on db: any Database) async throws -> [String: Int] {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT id, source_ref FROM purchases WHERE source = \(bind: source.rawValue) AND source_ref IN (\(binds: refs))
            """).all()
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(column: "source_ref", as: String.self), try $0.decode(column: "id", as: Int.self)) })
    }

    /// Runs an import for the API: 200 with the report, or 422 with every row's error.
    static func respond(_ req: Request, _ run: () async throws -> LedgerImportReport) async throws -> Response {
        do {
            return try await run().encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await LedgerImportReport(errors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        } catch let e as RejectedImport {
            return try await e.report.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
