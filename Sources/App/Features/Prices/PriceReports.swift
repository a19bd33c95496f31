import BangfuKit
import Fluent
import SQLKit
import Vapor

struct PriceReportInput: FormInput {
    static let pickers: [String: Picker] = ["regionCode": .place]
    var productId: Int?
    var regionCode: String?
    /// Any day of the week reported (the form's date); `week` ("2026-W48") may name it instead.
    var day: String?
    var week: String?
    var price: String?
    var unit: String?

    init(form f: [String: String]) {
        productId = f.int("productId"); regionCode = f.text("regionCode"); day = f.text("day"); week = f.text("week")
        price = f.text("price"); unit = f.text("unit")
    }
}

struct PricePointDTO: Content {
    let id: Int, productId: Int, product: String, regionCode: String, week: String, source: String, market: String
    let sourceName: String
    let priceFen: Int64, price: String, quoted: String, outlier: Bool

    init(_ p: PricePoint, product: MonitoredProduct) {
        let unit = product.unit
        id = p.id!; productId = p.$product.id; self.product = product.name; regionCode = p.regionCode
        week = MarketWeek(key: p.week)?.description ?? String(p.week)
        source = p.source; market = p.market; priceFen = p.priceFen
        sourceName = PriceSource(rawValue: p.source)?.chineseName ?? p.source
        price = PriceQuote.text(p.priceFen, productUnit: unit); quoted = p.quoted; outlier = p.outlier
    }
}

/// A township's weekly 地头价: one per product, place and week (a second report of the week replaces the first),
/// only for places of the reporter's own area; judged at once, so a warning rises the week its data arrives.
enum PriceReports {
    static func report(_ input: PriceReportInput, req: Request) async throws -> (PricePoint, MonitoredProduct) {
        guard let scope = req.scope(for: .reportPrices) else { throw APIError.forbidden }
        let product = try await MonitoredProducts.find(input.productId, req)
        let own: String? = if case .region(let r) = scope { r.digits } else { nil }
        let region = try await Guard.region(input.regionCode ?? own, scope: scope, on: req.db)
        // A 地头价 is a township's or a village's, of a product its place is watched for.
        guard region.level >= .township, region.digits.hasPrefix(RegionCode(product.jurisdictionCode)?.subtreePrefix
            ?? product.jurisdictionCode) else {
            throw FieldError(field: "regionCode", code: "not_township",
                             message: "地头价须报到本辖区监测该品种的乡镇或村")
        }
        let week = try week(input, today: req.today)
        let quoted = try FormValue.text(input.price, "price", "价格", max: 30)
        let fen = try PriceQuote.normalise(quoted, unit: input.unit, productUnit: product.unit).get()
        let point = try await PricePoint.query(on: req.db).filter(\.$product.$id == product.id!)
            .filter(\.$regionCode == region.digits).filter(\.$source == PriceSource.farm.rawValue)
            .filter(\.$market == "").filter(\.$week == week.key).first() ?? PricePoint()
        let before = point.id == nil ? nil : PricePointDTO(point, product: product)
        // The same price again changes nothing and judges nothing again.
        if point.id != nil, point.priceFen == fen { return (point, product) }
        point.$product.id = product.id!
        point.regionCode = region.digits; point.week = week.key; point.source = PriceSource.farm.rawValue
        point.market = ""; point.priceFen = fen; point.reportedOn = req.today.description
        point.quoted = input.unit.map { "\(quoted) \($0)" } ?? quoted
        point.reporter = req.currentUser?.username ?? ""
        point.outlier = try await isOutlier(fen, product: product.id!, region: region, week: week, on: req.db)
        let key = PriceSeries.Key(product: product.id!, region: PriceSeries.region(of: region.digits, source: .farm),
                                  source: PriceSource.farm.rawValue, week: week.key)
        try await req.db.writeTransaction { db in
            try await point.save(on: db)
            try await PriceSeries.refresh([key], on: db)
            try await Audit.record(req, on: db, action: before == nil ? "create" : "update", entity: "price_point",
                                   id: point.id, region: region.digits, before: before,
                                   after: PricePointDTO(point, product: product))
        }
        let town = region.level > .township ? region.ancestor(at: .township) ?? region : region
        _ = try await WarningRun.judge(products: [product], within: town, today: req.today, origin: .request(req),
                                       on: req.db)
        return (point, product)
    }

    /// The week a report is for: not in the future, and not before the product was watched for three years.
    static func week(_ input: PriceReportInput, today: LocalDate) throws -> MarketWeek {
        let week: MarketWeek?
        if let text = input.week {
            week = MarketWeek(text)
        } else if let text = input.day {
            week = LocalDate(text).map(MarketWeek.init)
        } else {
            week = MarketWeek(today)
        }
        guard let week, week <= MarketWeek(today), week.year >= today.year - 5 else {
            throw FieldError(field: input.week == nil ? "day" : "week", code: "bad_week",
                             message: "报价周须为近五年内、不晚于本周")
        }
        return week
    }

    /// Far from the county's other places that week, or from the place's own week before.
    static func isOutlier(_ fen: Int64, product: Int, region: RegionCode, week: MarketWeek,
                          on db: any Database) async throws -> Bool {
        let county = region.ancestor(at: .county)?.subtreePrefix ?? region.subtreePrefix
        let peers = try await PricePoint.query(on: db).filter(\.$product.$id == product)
            .filter(\.$week == week.key).filter(\.$regionCode =~ county).filter(\.$regionCode != region.digits)
            .filter(\.$source == PriceSource.farm.rawValue).limit(1_000).all().map(\.priceFen)
        let previous = try await PricePoint.query(on: db).filter(\.$product.$id == product)
            .filter(\.$week == week.adding(weeks: -1).key).filter(\.$regionCode == region.digits)
            .filter(\.$source == PriceSource.farm.rawValue).first()?.priceFen
        return PriceQuote.isOutlier(fen, peers: peers, previous: previous)
    }

    /// The points the caller may see: its area's, newest first.
    static func list(_ req: Request, product: Int? = nil, limit: Int = 200) async throws -> [PricePointDTO] {
        let products = try await MonitoredProducts.visible(req)
        let byID = Dictionary(products.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        var q = PricePoint.query(on: req.db).filter(\.$product.$id ~~ Array(byID.keys))
        if let product { q = q.filter(\.$product.$id == product) }
        if case .region(let r) = req.scope(for: .viewPrices) { q = q.filter(\.$regionCode =~ r.subtreePrefix) }
        return try await q.sort(\.$week, .descending).sort(\.$id, .descending).limit(limit).all()
            .compactMap { p in byID[p.$product.id].map { PricePointDTO(p, product: $0) } }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [PricePointDTO] {
        try await list(req, product: req.query["productId"])
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let (point, product) = try await report(try PriceReportInput.decode(req), req: req)
        return try await PricePointDTO(point, product: product).encodeResponse(status: .created, for: req)
    }
}
