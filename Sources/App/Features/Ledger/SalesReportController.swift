import BangfuKit
import Fluent
import Vapor

/// A township's own 附件2 (seed 003 names the townships as its reporters): its clerk imports and exports the
/// sales from its township, whatever units bought them; rows from elsewhere are refused.
enum SalesReportController {
    struct Page: Encodable {
        let shell: Shell; let township: String; let report: LedgerImportReport?; let error: String?
        let options: [String: [FormPage.Option]]; let units: [FormPage.Option]; let from: String; let today: String
    }

    static func own(_ req: Request) throws -> RegionCode {
        guard case .region(let r) = req.scope else { throw APIError.forbidden }
        return r
    }

    static func page(_ req: Request, report: LedgerImportReport?, error: String?) async throws -> Page {
        let here = try own(req)
        let name = try await RegionNames.places(for: [here.digits], on: req.db)[here.digits] ?? here.digits
        var units: [FormPage.Option] = []
        if let report { units = try await LedgerSheetController.aliasTargets(report, req: req) }
        let quarterStart = LocalDate(year: req.today.year, month: (req.today.month - 1) / 3 * 3 + 1, day: 1)
        return Page(shell: Shell(req), township: name, report: report, error: error,
                    options: try await LedgerController.formOptions(req),
                    units: units,
                    from: quarterStart.description, today: req.today.description)
    }

    @Sendable static func show(req: Request) async throws -> View {
        try await req.view.render("sales/index", try await page(req, report: nil, error: nil))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        struct Fields: Decodable { let channel: String?; let purpose: String? }
        let f = try req.content.decode(Fields.self)
        var report = LedgerImportReport(), error: String? = nil
        do {
            report = try await LedgerSheetController.receive(req, form: .township, channel: f.channel,
                                                             purpose: f.purpose)
        } catch let e as ImportRejected { report.errors = e.errors
        } catch let e as RejectedImport { report = e.report
        } catch let e as FieldError { error = e.message
        } catch let e as APIError { error = e.message }
        let failed = !report.errors.isEmpty || error != nil
        return try await req.render("sales/index", try await page(req, report: report, error: error),
                                    status: failed ? .unprocessableEntity : .ok)
    }

    @Sendable static func apiImport(req: Request) async throws -> Response {
        try await LedgerImporter.respond(req) {
            try await LedgerSheetController.receive(req, form: .township, channel: req.query["channel"],
                                                    purpose: req.query["purpose"])
        }
    }

    /// The township's 附件2 for a date range: its clerk's own township, or one an office names.
    @Sendable static func export(req: Request) async throws -> Response {
        let here = try own(req)
        let fixed: RegionCode? = here.level == .township ? here : nil
        return try await LedgerSheetController.export(req, form: .township, township: fixed)
    }
}
