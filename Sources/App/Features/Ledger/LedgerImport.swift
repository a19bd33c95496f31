import BangfuKit
import Fluent
import Vapor

struct LedgerImportReport: Content {
    var created = 0, skipped = 0, linked = 0
    var errors: [RowError] = []
}

/// Records the rows of one file in one transaction: every row's problem is reported in the file's own
/// column names, and any problem rejects the whole file.
enum LedgerImport {
    struct Row { let line: Int; let input: PurchaseInput }

    static func recordAll(_ rows: [Row], errors known: [RowError], source: PurchaseSource, columns: [String: String],
                          req: Request) async throws -> LedgerImportReport {
        try await req.db.transaction { db in
            var report = LedgerImportReport(errors: known)
            for row in rows {
                do {
                    let p = try await LedgerService.record(row.input, source: source, req: req, on: db)
                    report.created += 1
                    if p.duplicateOf != nil { report.linked += 1 }
                } catch let e as FieldError {
                    report.errors.append(RowError(row: row.line, column: columns[e.field] ?? e.field, code: e.code, message: e.message))
                } catch let e as APIError where e.field != nil {
                    report.errors.append(RowError(row: row.line, column: columns[e.field!] ?? e.field!, code: e.code, message: e.message))
                }
            }
            if !report.errors.isEmpty { throw ImportRejected(report.errors.sorted { ($0.row, $0.column) < ($1.row, $1.column) }) }
            return report
        }
    }

    /// Runs an import for the API: 200 with the report, or 422 with every row's error.
    static func respond(_ req: Request, _ run: () async throws -> LedgerImportReport) async throws -> Response {
        do {
            return try await run().encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await LedgerImportReport(errors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
