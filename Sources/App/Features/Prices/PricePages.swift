import BangfuKit
import Fluent
import Vapor

/// The clerk's weekly 地头价 form, made for a phone: a product, the place (its own township by default), the
/// week's day, the price and its unit; below it, what the area reported lately.
enum PricePages {
    struct Page: Encodable {
        let shell: Shell
        let products: [ProductDTO]
        let places: [String]
        let units: [String]
        var values: [String: String]
        /// The product chosen last: the clerk usually reports it again.
        let selected: Int?
        var errors: [String: String] = [:]
        var notice: String?
        let recent: [PricePointDTO]
    }

    static let units = ["元/斤", "元/公斤", "元/千克", "元/吨"]

    @Sendable static func show(req: Request) async throws -> View {
        var values: [String: String] = [:]
        if let product: Int = req.query["product"] { values["productId"] = String(product) }
        return try await render(req, values: values, notice: req.query["notice"])
    }

    static func render(_ req: Request, values: [String: String], error: FieldError? = nil,
                       notice: String? = nil) async throws -> View {
        let products = try await MonitoredProducts.visible(req, action: .reportPrices)
        var values = values
        if values["regionCode"] == nil, case .region(let r) = req.scope(for: .reportPrices) {
            values["regionCode"] = try await RegionNames.places(for: [r.digits], on: req.db)[r.digits]
        }
        if values["day"] == nil { values["day"] = req.today.description }
        let countUnits = Set(products.map(\.unit).filter { Weights.gramsPer[$0] == nil }).map { "元/\($0)" }
        var page = Page(shell: Shell(req), products: products.map(ProductDTO.init),
                        places: try await Pickers.placeNames(req, anywhere: false), units: units + countUnits.sorted(),
                        values: values, selected: values["productId"].flatMap { Int($0) }, notice: notice,
                        recent: try await PriceReports.list(req, limit: 30))
        if let error { page.errors = [error.field: error.message] }
        return try await req.view.render("prices/report", page)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let values = try PriceReportInput.formValues(req)
        do {
            let coded = try await Pickers.codes(values, PriceReportInput.pickers, req: req)
            let (point, product) = try await PriceReports.report(PriceReportInput(form: coded), req: req)
            let week = MarketWeek(key: point.week)?.chineseName ?? ""
            let text = "已报送\(product.name)\(week)地头价\(PriceQuote.text(point.priceFen, productUnit: product.unit))"
                + (point.outlier ? "（与周边或上周差异较大，已标记待核）" : "")
            return req.redirect(to: SiteURL.priceReport.path + "?product=\(product.id!)&notice="
                + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        } catch let e as FieldError {
            return try await render(req, values: values, error: e)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
