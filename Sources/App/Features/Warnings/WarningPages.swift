import BangfuKit
import Fluent
import Vapor

/// The office's 监测预警 page: monitored products, rules, wholesale series, the weekly run, stock against the
/// season, and the warnings to review and publish. Clerks see their area's warnings and stock.
enum WarningPages {
    struct Page: Encodable {
        let shell: Shell
        let products: [ProductDTO], warnings: [WarningDTO], stock: [StockFacts.Line]
        let rules: WarningRules, dropPercent: Int, schemeName: String
        let presets: [FormPage.Option], schemes: [FormPage.Option], categories: [FormPage.Option]
        let months: [Int]
        let canManage: Bool, canReport: Bool
        var notice: String?
        var section: String?
        var error: String?
        var field: String?
        var importErrors: [RowError] = []
    }

    @Sendable static func show(req: Request) async throws -> View {
        try await render(req, notice: req.query["notice"])
    }

    static func render(_ req: Request, notice: String? = nil, section: String? = nil, error: FieldError? = nil,
                       importErrors: [RowError] = []) async throws -> View {
        let rules = try await WarningRulesController.rules(for: req)
        var page = Page(
            shell: Shell(req), products: try await products(req),
            warnings: try await PriceWarnings.list(req), stock: try await StockFacts.lines(req),
            rules: rules, dropPercent: rules.dropBP / 100, schemeName: rules.scheme.chineseName,
            presets: WarningRules.presets.map { .init(value: $0.code, label: $0.name) },
            schemes: LevelScheme.options, categories: ProductCategory.options, months: Array(1...12),
            canManage: req.scope(for: .manageWarnings) != nil, canReport: req.scope(for: .reportPrices) != nil)
        page.notice = notice
        page.section = section
        page.error = error?.message
        page.field = error?.field
        page.importErrors = importErrors
        return try await req.view.render("warnings/index", page)
    }

    /// The products the page lists, those the office may change marked.
    static func products(_ req: Request) async throws -> [ProductDTO] {
        let own: RegionCode? = if case .region(let r) = req.scope(for: .manageWarnings) { r } else { nil }
        return try await MonitoredProducts.visible(req).map { p in
            var dto = ProductDTO(p)
            dto.editable = own.map { r in RegionCode(p.jurisdictionCode).map(r.contains) ?? false } ?? false
            return dto
        }
    }

    /// Runs a form's command; back to the page with a notice, or with the error in the form's section.
    static func submit(_ req: Request, section: String, notice: String = "已保存",
                       _ command: () async throws -> Void) async throws -> Response {
        do {
            try await command()
            return req.redirect(to: SiteURL.warnings.path + "?notice=" + (notice.addingPercentEncoding(
                withAllowedCharacters: .alphanumerics) ?? ""))
        } catch let e as FieldError {
            return try await render(req, section: section, error: e)
                .encodeResponse(status: .unprocessableEntity, for: req)
        } catch let e as APIError where e.status != .notFound && e.status != .forbidden {
            let fe = FieldError(field: e.field ?? section, code: e.code, message: e.message)
            return try await render(req, section: section, error: fe).encodeResponse(status: e.status, for: req)
        } catch let e as ImportRejected {
            return try await render(req, section: section, importErrors: e.errors)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable static func importSeries(req: Request) async throws -> Response {
        var report: WholesaleImport.Report?
        let response = try await submit(req, section: "import") {
            report = try await WholesaleImport.run(try OfferSheetController.upload(req), req: req)
        }
        guard let report else { return response }
        return req.redirect(to: SiteURL.warnings.path + "?notice="
            + ("已导入\(report.rows)行，\(report.points)个周价格点（\(report.outliers)个异常值已标记）"
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
    }

    /// The run is a job: the page goes to the job's, which says what it judged and leads back here.
    @Sendable static func run(req: Request) async throws -> Response {
        _ = try Caller(req).jurisdiction()
        return try await JobController.start(req, kind: PriceWarnings.jobKind, params: [String]())
    }

    @Sendable static func publish(req: Request) async throws -> Response {
        try await submit(req, section: "warnings", notice: "预警已发布，已通知相关乡镇与供给主体") {
            _ = try await PriceWarnings.publish(req)
        }
    }

    @Sendable static func release(req: Request) async throws -> Response {
        try await submit(req, section: "warnings", notice: "预警已解除") { _ = try await PriceWarnings.release(req) }
    }
}
