import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The free public 价格行情 page (seed 001: 免费发布价格信息和市场行情分析): per monitored product and area, the
/// weekly 地头价 of the last half year, the same weeks last year, the baseline band and the published warning —
/// drawn by the app as SVG with the figures in a table beside it. Drafts never show here.
enum PublicPrices {
    /// A week as the public sees it. Prices derived from the ledger stay inside: a township's week may be one
    /// unit's purchase.
    struct WeekLine: Content {
        let week: String, farm: String?, lastYear: String?, baseline: String?, wholesale: String?
        let farmFen: Int64?, lastYearFen: Int64?, baselineFen: Int64?, wholesaleFen: Int64?
    }

    /// A published warning as the public sees it: no names of who published it.
    struct PublicWarning: Content {
        let id: Int, place: String, level: Int, levelName: String, colour: String, startedWeek: String
        let figures: String

        init(_ w: WarningDTO) {
            id = w.id; place = w.place; level = w.level; levelName = w.levelName; colour = w.colour
            startedWeek = w.startedWeek; figures = w.figures
        }
    }

    struct Series: Content {
        let productId: Int, product: String, unit: String, regionCode: String, area: String
        let weeks: [WeekLine]
        let warnings: [PublicWarning]
    }

    struct Area: Encodable { let code: String, name: String, selected: Bool }

    struct Page: Encodable {
        let shell: Shell, series: Series, chart: LineChart, areas: [Area], latest: String?, change: String?
        /// The table beside the chart: reported weeks, newest first.
        let table: [WeekLine]
    }

    struct ListLine: Encodable {
        let id: Int, name: String, unit: String, season: String, latest: String?, week: String?, warning: String?
        let colour: String?
    }

    static let weeksShown = 26

    /// The product's weekly figures over the area (medians over its places' series), this year and last.
    static func series(_ product: MonitoredProduct, area: RegionCode, through week: MarketWeek,
                       on db: any Database) async throws -> Series {
        let weeks = (0..<weeksShown).reversed().map { week.adding(weeks: -$0) }
        let lastYear = weeks.compactMap { $0.sameWeek(in: $0.year - 1) }
        struct Row: Decodable { let week: Int, source: String, price_fen: Int64, baseline_fen: Int64? }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT week, source, price_fen, baseline_fen FROM price_weeks
            WHERE product_id = \(bind: product.id!) AND region_code LIKE \(bind: area.subtreePrefix + "%")
                AND source <> \(bind: PriceSource.derived.rawValue)
                AND week IN (\(binds: (weeks + lastYear).map(\.key)))
            """).all(decoding: Row.self)
        let grouped = Dictionary(grouping: rows) { "\($0.week)|\($0.source)" }
        func median(_ w: MarketWeek?, _ s: PriceSource) -> Int64? {
            w.flatMap { grouped["\($0.key)|\(s.rawValue)"] }.flatMap { PriceWatch.median($0.map(\.price_fen)) }
        }
        func baseline(_ w: MarketWeek) -> Int64? {
            PriceWatch.median((grouped["\(w.key)|\(PriceSource.farm.rawValue)"] ?? []).compactMap(\.baseline_fen))
        }
        func text(_ v: Int64?) -> String? { v.map { PriceQuote.text($0, productUnit: product.unit) } }
        let lines = weeks.map { w in
            let farm = median(w, .farm), last = median(w.sameWeek(in: w.year - 1), .farm), base = baseline(w)
            let wholesale = median(w, .wholesale)
            return WeekLine(week: w.description, farm: text(farm), lastYear: text(last), baseline: text(base),
                            wholesale: text(wholesale), farmFen: farm, lastYearFen: last, baselineFen: base,
                            wholesaleFen: wholesale)
        }
        let names = try await RegionNames.places(for: [area.digits], on: db)
        let published = try await PriceWarning.query(on: db).filter(\.$product.$id == product.id!)
            .filter(\.$status == PriceWarning.published).filter(\.$regionCode =~ area.subtreePrefix)
            .sort(\.$level, .descending).limit(20).all()
        return Series(productId: product.id!, product: product.name, unit: product.unit, regionCode: area.digits,
                      area: names[area.digits] ?? area.digits, weeks: lines,
                      warnings: try await PriceWarnings.dtos(published, products: [product], on: db)
                        .map(PublicWarning.init))
    }

    static func chart(_ s: Series, product: MonitoredProduct, dropBP: Int) -> LineChart {
        func v(_ f: Int64?) -> Double? { f.map { PriceQuote.inProductUnit($0, productUnit: product.unit) / 100 } }
        return LineChart.make(
            labels: s.weeks.map { String($0.week.suffix(3)) },
            series: [("本年地头价", s.weeks.map { v($0.farmFen) }), ("去年同期", s.weeks.map { v($0.lastYearFen) }),
                     ("批发价", s.weeks.map { v($0.wholesaleFen) })],
            band: s.weeks.map { w in
                v(w.baselineFen).map { (low: $0 * Double(10_000 - dropBP) / 10_000, high: $0) }
            },
            format: { String(format: "%.2f元", $0) })
    }

    static func product(_ req: Request) async throws -> MonitoredProduct {
        guard let id = req.parameters.get("id", as: Int.self), let p = try await MonitoredProduct.find(id, on: req.db)
        else { throw APIError.notFound("监测品种") }
        return p
    }

    /// The area asked for (a region code from the page's list or the API), or the product's jurisdiction.
    static func area(_ req: Request, product: MonitoredProduct) throws -> RegionCode {
        guard let text: String = req.query["region"] else {
            guard let j = RegionCode(product.jurisdictionCode) else { throw APIError.notFound("地区") }
            return j
        }
        guard let code = RegionCode(text) else {
            throw FieldError(field: "region", code: "invalid", message: "地区须为12位统计用区划代码")
        }
        return code
    }

    @Sendable static func apiSeries(req: Request) async throws -> Series {
        guard let id: Int = req.query["productId"] else { throw FieldError.required("productId", "监测品种") }
        guard let p = try await MonitoredProduct.find(id, on: req.db) else { throw APIError.notFound("监测品种") }
        return try await series(p, area: try area(req, product: p), through: MarketWeek(req.today), on: req.db)
    }

    @Sendable static func page(req: Request) async throws -> View {
        let p = try await product(req)
        let area = try area(req, product: p)
        let s = try await series(p, area: area, through: MarketWeek(req.today), on: req.db)
        let rules = try await WarningRulesController.rules(for: area, on: req.db)
        let towns = try await PriceWeek.query(on: req.db).filter(\.$productID == p.id!)
            .filter(\.$source == PriceSource.farm.rawValue).unique().field(\.$regionCode).all().map(\.regionCode)
        let codes = [p.jurisdictionCode] + Set(towns).sorted()
        let names = try await RegionNames.places(for: codes, on: req.db)
        let latest = s.weeks.last { $0.farm != nil }
        let change = latest.flatMap { l -> String? in
            guard let now = l.farmFen, let then = l.lastYearFen, then > 0 else { return nil }
            return String(format: "%+.1f%%", Double(now - then) * 100 / Double(then))
        }
        return try await req.view.render("public/prices", Page(
            shell: Shell(req), series: s, chart: chart(s, product: p, dropBP: rules.dropBP),
            areas: codes.map { Area(code: $0, name: names[$0] ?? $0, selected: $0 == area.digits) },
            latest: latest.map { "\($0.week)：\($0.farm ?? "")" }, change: change,
            table: s.weeks.reversed().filter { [$0.farm, $0.lastYear, $0.wholesale].contains { $0 != nil } }))
    }

    /// Every monitored product with its latest weekly 地头价 in its jurisdiction and its gravest published warning.
    @Sendable static func index(req: Request) async throws -> View {
        let products = try await MonitoredProduct.query(on: req.db).sort(\.$name).all()
        let warnings = try await PriceWarnings.list(req, statuses: [PriceWarning.published], publicOnly: true)
        var lines: [ListLine] = []
        for p in products {
            guard let area = RegionCode(p.jurisdictionCode) else { continue }
            let s = try await series(p, area: area, through: MarketWeek(req.today), on: req.db)
            let latest = s.weeks.last { $0.farm != nil }
            let worst = warnings.filter { $0.productId == p.id }.max { $0.level < $1.level }
            lines.append(ListLine(id: p.id!, name: p.name, unit: p.unit, season: p.season?.chineseName ?? "",
                                  latest: latest?.farm, week: latest.flatMap { MarketWeek($0.week)?.chineseName },
                                  warning: worst.map { "\($0.place)\($0.levelName)" }, colour: worst?.colour))
        }
        return try await req.view.render("public/price-list", ListPage(shell: Shell(req), rows: lines))
    }
}
