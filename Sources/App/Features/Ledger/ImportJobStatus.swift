import BangfuKit
import Foundation
import Vapor

/// An import job as its page and the API show it, read from the job table: any server answers.
struct ImportJobStatus: Content {
    let id: String, state: String, read: Int, created: Int, skipped: Int, linked: Int
    let errors: [RowError], moreErrors: Int, message: String?
    /// The server running it (or that last ran it).
    let worker: String?

    init(_ job: JobRecord) {
        let report = job.report.flatMap { try? JSONDecoder().decode(LedgerImportReport.self, from: Data($0.utf8)) }
            ?? LedgerImportReport()
        id = job.id ?? ""
        state = job.state.rawValue
        read = report.read
        created = report.created
        skipped = report.skipped
        linked = report.linked
        errors = report.errors
        moreErrors = report.moreErrors
        message = job.message
        worker = job.worker
    }

    static func json(_ report: LedgerImportReport) throws -> String {
        String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
    }
}
