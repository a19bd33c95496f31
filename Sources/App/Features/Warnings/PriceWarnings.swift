import BangfuKit
import Fluent
import SQLKit
import Vapor

struct WarningDTO: Content {
    let id: Int, productId: Int, product: String, regionCode: String, place: String
    let source: String, sourceName: String, level: Int, levelName: String, colour: String
    let status: String, statusName: String, startedWeek: String, lastWeek: String, figures: String
    let history: [PriceWarning.History]
    let publishedBy: String?

    init(_ w: PriceWarning, product: MonitoredProduct?, place: String?, scheme: LevelScheme,
         history: [PriceWarning.History]) {
        id = w.id!; productId = w.$product.id; self.product = product?.name ?? ""; regionCode = w.regionCode
        self.place = place ?? w.regionCode; source = w.source
        sourceName = PriceSource(rawValue: w.source)?.chineseName ?? w.source
        level = w.level; levelName = scheme.name(w.level); colour = scheme.colour(w.level); status = w.status
        statusName = ["draft": "待审核发布", "published": "已发布", "released": "已解除"][w.status] ?? w.status
        startedWeek = MarketWeek(key: w.startedWeek)?.chineseName ?? ""
        lastWeek = MarketWeek(key: w.lastWeek)?.chineseName ?? ""
        figures = w.figures; self.history = history; publishedBy = w.publishedBy
    }
}

/// Warnings as the office reviews them: published ones reach the warned area's townships and suppliers as notices
/// (through the reminder channels) and the public price page; an office may release one by hand.
enum PriceWarnings {
    static func list(_ req: Request, statuses: [String]? = nil, id: Int? = nil, publicOnly: Bool = false)
        async throws -> [WarningDTO] {
        let products = try await publicOnly ? MonitoredProduct.query(on: req.db).all()
            : MonitoredProducts.visible(req)
        var q = PriceWarning.query(on: req.db).filter(\.$product.$id ~~ products.compactMap(\.id))
        if let statuses { q = q.filter(\.$status ~~ statuses) }
        if let id { q = q.filter(\.$id == id) }
        if !publicOnly, case .region(let r) = req.scope(for: .viewPrices) {
            q = q.filter(\.$regionCode =~ r.subtreePrefix)
        }
        let rows = try await q.sort(\.$level, .descending).sort(\.$lastWeek, .descending).limit(500).all()
        return try await dtos(rows, products: products, on: req.db)
    }

    static func dtos(_ rows: [PriceWarning], products: [MonitoredProduct], on db: any Database) async throws
        -> [WarningDTO] {
        let byID = Dictionary(products.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let places = try await RegionNames.places(for: Array(Set(rows.map(\.regionCode))), on: db)
        let rules = try await WarningRulesRecord.query(on: db).all()
        let weeks = try await history(of: rows, on: db)
        return rows.map { w in
            let scheme = RegionCode(w.regionCode)?.nearest(rules, \.jurisdictionCode)?.rules.scheme ?? .colours
            let mine = (weeks["\(w.$product.id)|\(w.regionCode)|\(w.source)"] ?? [])
                .filter { $0.week >= w.startedWeek && $0.week <= (w.releasedWeek ?? w.lastWeek) }
            return WarningDTO(w, product: byID[w.$product.id], place: places[w.regionCode], scheme: scheme,
                              history: lines(mine, scheme: scheme))
        }
    }

    struct Week: Decodable { let product_id: Int, region_code: String, source: String, week: Int, level: Int
        let figures: String? }

    /// The judged weeks of the warnings' series from their earliest start, in one read.
    static func history(of rows: [PriceWarning], on db: any Database) async throws -> [String: [Week]] {
        guard let from = rows.map(\.startedWeek).min() else { return [:] }
        let weeks = try await (db as! any SQLDatabase).raw("""
            SELECT product_id, region_code, source, week, level, figures FROM price_weeks
            WHERE product_id IN (\(binds: Array(Set(rows.map(\.$product.id)))))
                AND region_code IN (\(binds: Array(Set(rows.map(\.regionCode)))))
                AND week >= \(bind: from) AND state IS NOT NULL
            ORDER BY week
            """).all(decoding: Week.self)
        return Dictionary(grouping: weeks) { "\($0.product_id)|\($0.region_code)|\($0.source)" }
    }

    /// Each week's level in words, and what moved: 发布预警, 升级, 解除.
    static func lines(_ weeks: [Week], scheme: LevelScheme) -> [PriceWarning.History] {
        var previous = 0
        return weeks.map { w in
            defer { previous = w.level }
            let event = previous == 0 && w.level > 0 ? "预警" : w.level > previous ? "升级"
                : w.level == 0 ? "解除" : w.level < previous ? "降级" : "持续"
            let figures = (w.figures ?? "").split(separator: "；").map(String.init)
            return .init(week: MarketWeek(key: w.week)?.chineseName ?? "", level: w.level,
                         levelName: scheme.name(w.level), event: event, figures: figures)
        }
    }

    /// A warning of the caller's region (`action` anchors it), or 404.
    static func find(_ id: Int?, req: Request, action: Action = .manageWarnings) async throws -> PriceWarning {
        guard let id, let w = try await PriceWarning.find(id, on: req.db), let scope = req.scope(for: action),
              scope.covers(region: w.regionCode)
        else { throw APIError.notFound("预警") }
        return w
    }

    static func find(_ req: Request) async throws -> PriceWarning {
        try await find(req.parameters.get("id", as: Int.self), req: req)
    }

    /// Publishes a raised warning and tells those in its area.
    static func publish(_ req: Request) async throws -> WarningDTO {
        let w = try await find(req)
        guard w.status == PriceWarning.draft else {
            throw APIError(status: .conflict, code: "not_draft", message: "该预警已发布或已解除", field: nil)
        }
        let product = try await w.$product.get(on: req.db)
        w.status = PriceWarning.published
        w.publishedBy = req.currentUser?.signature
        w.publishedAt = Date()
        try await req.db.writeTransaction { db in
            try await w.save(on: db)
            let told = try await notify(w, product: product, on: db)
            try await Audit.record(req, on: db, action: "publish", entity: "price_warning", id: w.id,
                                   region: w.regionCode, after: ["level": "\(w.level)", "notified": "\(told)"])
        }
        return try await dtos([w], products: [product], on: req.db)[0]
    }

    /// Tells the area's townships (their clerks and offices) and suppliers, through every reminder channel (in-app
    /// always; e-mail or SMS where a jurisdiction configures one). Returns how many were told.
    @discardableResult
    static func notify(_ w: PriceWarning, product: MonitoredProduct, on db: any Database,
                       channels: [any ReminderChannel] = [InAppReminders()]) async throws -> Int {
        let dto = try await dtos([w], products: [product], on: db)[0]
        let text = "\(dto.place)\(product.name)\(dto.levelName)：\(w.figures)。"
            + "请关注销售，可联系县消费帮扶专班组织消纳。"
        let keys = try await recipients(in: w.regionCode, on: db)
        for key in keys {
            for c in channels { try await c.send(to: key, text: text, sentBy: w.publishedBy ?? "", on: db) }
        }
        return keys.count
    }

    /// Notice keys of the warned area: its townships (their clerks and offices) and its suppliers.
    static func recipients(in region: String, on db: any Database) async throws -> [String] {
        guard let r = RegionCode(region) else { return [] }
        let town = r.level > .township ? r.ancestor(at: .township) ?? r : r
        let towns = town.level == .township ? [town.digits]
            : try await Region.query(on: db).filter(\.$id =~ town.subtreePrefix)
                .filter(\.$level == RegionCode.Level.township.rawValue).all().compactMap(\.id)
        let suppliers = try await Supplier.query(on: db).filter(\.$regionCode =~ town.subtreePrefix).all()
        return towns.map { "township:\($0)" } + suppliers.compactMap { $0.id.map { "supplier:\($0)" } }
    }

    /// An office ends a warning by hand; the episode it was raised for does not raise it again.
    static func release(_ req: Request) async throws -> WarningDTO {
        let w = try await find(req)
        guard w.status != PriceWarning.released else {
            throw APIError(status: .conflict, code: "already_released", message: "该预警已解除", field: nil)
        }
        let product = try await w.$product.get(on: req.db)
        w.status = PriceWarning.released
        w.releasedWeek = max(w.lastWeek, MarketWeek(req.today).key)
        w.releasedByOffice = true
        try await req.db.writeTransaction { db in
            try await w.save(on: db)
            try await Audit.record(req, on: db, action: "release", entity: "price_warning", id: w.id,
                                   region: w.regionCode)
        }
        return try await dtos([w], products: [product], on: req.db)[0]
    }

    /// The weekly run over the office's products and places: the week's 成交价 derived first, then every unjudged
    /// week of its own places.
    /// The office's run: this week's 成交价 derived from the ledger, then every series week not yet judged.
    static func run(caller: Caller, on db: any Database, lease: LeaseCheck? = nil) async throws -> WarningRun.Summary {
        let j = try caller.jurisdiction()
        let products = try await MonitoredProducts.visible(to: caller.scope, on: db)
        try await DerivedPrices.collect(products, week: MarketWeek(caller.today), within: j, today: caller.today,
                                        origin: caller.origin, on: db, lease: lease)
        return try await WarningRun.judge(products: products, within: j, today: caller.today, origin: caller.origin,
                                          on: db, lease: lease)
    }

    static let jobKind = "warning-run"

    /// The run as a job: at a province's scale it reads millions of price points.
    static let job = JobHandler(title: "价格预警研判", back: { _ in ("返回预警", SiteURL.warnings.path) },
                                inChunks: true) { job in
        let caller = try await Caller(job: job.job, action: .manageWarnings, app: job.app)
        let s = try await run(caller: caller, on: job.app.db, lease: job.confirm)
        return try JobOutcome(summary: s, message: s.sentence)
    }

    @Sendable static func apiIndex(req: Request) async throws -> [WarningDTO] {
        let status: String? = req.query["status"]
        return try await list(req, statuses: status.map { [$0] })
    }

    @Sendable static func apiShow(req: Request) async throws -> WarningDTO {
        guard let id = req.parameters.get("id", as: Int.self), let dto = try await list(req, id: id).first else {
            throw APIError.notFound("预警")
        }
        return dto
    }

    @Sendable static func apiPublish(req: Request) async throws -> WarningDTO { try await publish(req) }
    @Sendable static func apiRelease(req: Request) async throws -> WarningDTO { try await release(req) }

    /// The run's summary; `?async=1` queues it as a job (202).
    @Sendable static func apiRun(req: Request) async throws -> Response {
        _ = try Caller(req).jurisdiction()
        if req.query["async"] == "1" { return try await JobController.start(req, kind: jobKind, params: [String]()) }
        return try await run(caller: Caller(req), on: req.db).encodeResponse(for: req)
    }
}
