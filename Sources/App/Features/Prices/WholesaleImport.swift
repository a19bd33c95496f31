import BangfuKit
import Fluent
import Vapor

/// Wholesale market series as MARA's daily market data reads (日期, 市场, 品种, 价格, 单位; 所在地 optional): each
/// row becomes a point of its market's weekly series in the product's base unit. All rows or none, every problem
/// named by row and column; the same file twice changes nothing (a market's week is one point, the last read).
enum WholesaleImport {
    static let aliases: [String: [String]] = [
        "日期": ["日期", "采集日期", "date"], "市场": ["市场", "市场名称", "批发市场", "market"],
        "品种": ["品种", "产品", "品名", "product"], "价格": ["价格", "平均价", "均价", "批发价", "price"],
        "单位": ["单位", "计价单位", "unit"], "所在地": ["所在地", "地区", "市场所在地", "region"],
    ]

    struct Report: Content { let rows: Int, points: Int, weeks: [String], outliers: Int }

    struct Parsed { let product: MonitoredProduct, region: String, market: String, week: MarketWeek, day: LocalDate
        let fen: Int64, quoted: String }

    static func run(_ data: Data, req: Request) async throws -> Report {
        let j = try PeriodController.jurisdiction(req, for: .manageWarnings)
        let form = try FormTable(try OfferSheetController.cells(data), anchor: "品种", aliases: aliases,
                                 required: ["日期", "市场", "品种", "价格"], form: "批发市场价格表")
        guard form.lines.count <= 200_000 else {
            throw ImportRejected([RowError(row: 1, column: "文件", code: "too_many_rows",
                                           message: "单个文件至多20万行")])
        }
        let products = try await MonitoredProducts.visible(req, action: .manageWarnings)
        var byName: [String: MonitoredProduct] = [:]
        for p in products { for v in p.varieties where byName[v] == nil { byName[v] = p } }
        let resolver = try await RegionResolver.load(scope: .region(j), on: req.db, coarsest: .county)
        var errors: [RowError] = [], parsed: [Parsed] = []
        for line in form.lines {
            func fail(_ column: String, _ code: String, _ message: String) {
                errors.append(RowError(row: line.number, column: column, code: code, message: message))
            }
            guard let day = LocalDate(line["日期"]), day <= req.today, day.year >= req.today.year - 5 else {
                fail("日期", "bad_date", "日期“\(line["日期"])”无法识别或不在近五年内")
                continue
            }
            guard let product = byName[line["品种"]] else {
                fail("品种", "unknown_product", "“\(line["品种"])”不是本辖区的监测品种或其别名")
                continue
            }
            let market = line["市场"]
            guard !market.isEmpty, market.count <= 40 else {
                fail("市场", "bad_market", "市场名称须为1–40字")
                continue
            }
            let place = line["所在地"]
            guard let region = place.isEmpty ? j : resolver.resolve(place) else {
                fail("所在地", "unknown_place", "找不到地名“\(place)”（须在本辖区内）")
                continue
            }
            switch PriceQuote.normalise(line["价格"], unit: line["单位"].isEmpty ? nil : line["单位"],
                                        productUnit: product.unit) {
            case .failure(let e): fail(e.field == "unit" ? "单位" : "价格", e.code, e.message)
            case .success(let fen):
                parsed.append(Parsed(product: product, region: region.digits, market: market, week: MarketWeek(day),
                                     day: day, fen: fen, quoted: "\(line["价格"]) \(line["单位"])"))
            }
        }
        guard errors.isEmpty else { throw ImportRejected(errors) }
        return try await save(parsed, rows: form.lines.count, req: req)
    }

    /// A market's week is one point: the latest day's price of the week in the file.
    static func save(_ parsed: [Parsed], rows: Int, req: Request) async throws -> Report {
        struct PointKey: Hashable { let product: Int, region: String, market: String, week: Int }
        var latest: [PointKey: Parsed] = [:]
        for p in parsed {
            let key = PointKey(product: p.product.id!, region: p.region, market: p.market, week: p.week.key)
            if let held = latest[key], held.day > p.day { continue }
            latest[key] = p
        }
        let points = latest
        let who = req.currentUser?.username ?? ""
        let region = try PeriodController.jurisdiction(req, for: .manageWarnings)
        let outliers = try await req.db.writeTransaction { db -> Int in
            var outliers = 0
            var changed = Set<PriceSeries.Key>()
            let existing = try await PricePoint.query(on: db).filter(\.$source == PriceSource.wholesale.rawValue)
                .filter(\.$week ~~ Array(Set(points.keys.map(\.week)))).all()
            var held = Dictionary(existing.map {
                (PointKey(product: $0.$product.id, region: $0.regionCode, market: $0.market, week: $0.week), $0)
            }, uniquingKeysWith: { a, _ in a })
            for (key, p) in points.sorted(by: { $0.key.week < $1.key.week }) {
                let point = held[key] ?? PricePoint()
                guard point.id == nil || point.priceFen != p.fen else { continue }
                let previous = held[PointKey(product: key.product, region: key.region, market: key.market,
                                             week: p.week.adding(weeks: -1).key)]?.priceFen
                point.$product.id = key.product; point.regionCode = key.region; point.market = key.market
                point.week = key.week; point.source = PriceSource.wholesale.rawValue; point.priceFen = p.fen
                point.reportedOn = p.day.description; point.quoted = p.quoted; point.reporter = who
                point.outlier = PriceQuote.isOutlier(p.fen, peers: [], previous: previous)
                if point.outlier { outliers += 1 }
                try await point.save(on: db)
                held[key] = point
                changed.insert(.init(product: key.product, region: key.region,
                                     source: PriceSource.wholesale.rawValue, week: key.week))
            }
            // Only the weeks whose price changed are judged again: the same file twice changes nothing.
            try await PriceSeries.refresh(changed, on: db)
            try await Audit.record(req, on: db, action: "import", entity: "price_point", id: nil,
                                   region: region.digits,
                                   after: ["rows": "\(rows)", "points": "\(points.count)",
                                           "changed": "\(changed.count)"])
            return outliers
        }
        let weeks = Array(Set(points.keys.map(\.week))).sorted().compactMap { MarketWeek(key: $0)?.description }
        return Report(rows: rows, points: points.count, weeks: weeks, outliers: outliers)
    }

    @Sendable static func api(req: Request) async throws -> Response {
        do {
            return try await run(try OfferSheetController.upload(req), req: req).encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await LedgerImportReport(errors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
