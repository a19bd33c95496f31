import BangfuKit
import Fluent
import Vapor

/// A seller's tracking upload and an office's receivables: the two order pages that are not about one order.
enum OrderDeskPages {
    struct Tracking: Encodable {
        let shell: Shell; let carriers: [String]; var report: TrackingService.Report? = nil; var error: String? = nil
    }

    static func carriers(_ req: Request) async throws -> [String] {
        try await Carrier.query(on: req.db).sort(\.$id).all().map(\.name)
    }

    @Sendable static func tracking(req: Request) async throws -> View {
        try await req.view.render("orders/tracking", Tracking(shell: Shell(req), carriers: try await carriers(req)))
    }

    /// A carrier's export, uploaded from the page: all events added, or the row-by-row report and nothing.
    @Sendable static func submitTracking(req: Request) async throws -> Response {
        struct Fields: Decodable { let carrier: String? }
        var page = Tracking(shell: Shell(req), carriers: try await carriers(req))
        do {
            page.report = try await TrackingService.importFile(req,
                carrierName: try req.content.decode(Fields.self).carrier)
            return try await req.render("orders/tracking", page, status: .ok)
        } catch let e as ImportRejected {
            page.report = TrackingService.Report(received: 0, added: 0, errors: e.errors)
        } catch let e as FieldError {
            page.error = e.message
        }
        return try await req.render("orders/tracking", page, status: .unprocessableEntity)
    }

    struct Receivables: Encodable {
        let shell: Shell; let report: ReceivablesReport.Report; let rows: [Row]
        struct Row: Encodable { let row: ReceivablesReport.Row; let buckets: [String]; let overdue: String }
    }

    @Sendable static func receivables(req: Request) async throws -> View {
        let report = try await ReceivablesReport.report(req)
        let rows = report.rows.map { r in
            Receivables.Row(row: r, buckets: r.bucketsFen.map { Fen($0).description },
                            overdue: Fen(r.overdueFen).description)
        }
        return try await req.view.render("orders/receivables", Receivables(shell: Shell(req), report: report,
            rows: rows))
    }
}
