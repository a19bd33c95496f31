import BangfuKit
import Fluent
import SQLKit
import Vapor

extension Bulletin: Content {}
extension RuleProgress: Content {}
extension ReportingCalendar: Content {}

struct BulletinSummary: Content { let id: Int; let title: String; let year: Int; let quarter: Int; let asOf: String; let dataVersion: Int; let publishedAt: String }

/// 季度通报: an office publishes the quarter's bulletin for its region; what is published is frozen
/// (the snapshot, the day and the data version it was built from) and public.
enum BulletinController {
    struct PublishInput: Content { var year: Int?; var quarter: Int? }

    static func build(jurisdiction: RegionCode, year: Int, quarter: Int, on db: any Database) async throws -> Bulletin {
        let period = ReportingPeriod.quarter(year, quarter)
        let asOf = period.lastDay, months = "\(year)-01"...period.months.last!
        var progress: [RuleProgress] = [], units: [Int: String] = [:], unitBuckets: [Bucket] = []
        let prefix = jurisdiction.subtreePrefix
        // What does not depend on the rules is read beside them.
        async let places = QuotaFacts.jurisdictionTotals(prefix: prefix, months: months, on: db)
        async let households = Benefits.householdsReached(under: prefix, year: year, through: period.months.last!, on: db)
        async let channelRows = Channel.query(on: db).all()
        for record in try await PolicyRecord.query(on: db).filter(\.$jurisdictionCode == jurisdiction.digits).filter(\.$year == year).all() {
            let policy = try record.policy
            let facts = try await QuotaFacts.load(policy, asOf: asOf, on: db)
            for u in facts.units { units[u.id] = u.name }
            if policy.countedMonths(through: asOf) == months { unitBuckets = facts.unitBuckets }    // the year's, already read
            progress += RuleEngine(policy: policy, facts: facts, asOf: asOf).evaluate()
        }
        if unitBuckets.isEmpty {
            unitBuckets = try await QuotaFacts.unitBuckets(
                months: months, within: "buyer_region_code LIKE \(bind: prefix + "%")", on: db)
        }
        let counties = Set(progress.compactMap { RegionCode($0.subject.region)?.ancestor(at: .county)?.digits })
        let regions = try await RegionNames.places(for: Array(counties) + [jurisdiction.digits], on: db)
        let channels = ChannelList(rows: try await channelRows).names(for: jurisdiction)
        let name = regions[jurisdiction.digits] ?? jurisdiction.digits
        var bulletin = BulletinBuilder.build(
            title: "\(name)\(period.chineseName)消费帮扶工作通报", jurisdiction: jurisdiction, year: year, quarter: quarter, asOf: asOf,
            paceBP: YearPace.basisPoints(through: asOf), progress: progress,
            places: try await places, units: unitBuckets, householdsReached: try await households,
            names: .init(units: units, regions: regions, channels: channels))
        let first = LocalDate(year: year, month: (quarter - 1) * 3 + 1, day: 1)
        bulletin.traceability = try await Traceability.report(jurisdiction, from: first, to: asOf, on: db).total.rate
        return bulletin
    }

    static func publish(_ input: PublishInput, req: Request) async throws -> BulletinRecord {
        let jurisdiction = try PeriodController.jurisdiction(req, for: .publishBulletins)
        guard let year = input.year, (2000...2100).contains(year) else { throw FieldError.invalid("year", "年度") }
        guard let quarter = input.quarter, (1...4).contains(quarter) else { throw FieldError.invalid("quarter", "季度") }
        guard ReportingPeriod.quarter(year, quarter).lastDay < req.today else {
            throw APIError(status: .unprocessableEntity, code: "not_ended", message: "该季度尚未结束，不能通报", field: "quarter")
        }
        let version = try await Purchase.query(on: req.db).max(\.$id) ?? 0
        let bulletin = try await build(jurisdiction: jurisdiction, year: year, quarter: quarter, on: req.db)
        let r = BulletinRecord()
        r.jurisdictionCode = jurisdiction.digits; r.year = year; r.quarter = quarter; r.title = bulletin.title
        r.asOf = bulletin.asOf.description; r.dataVersion = version; r.publishedBy = req.currentUser?.username ?? ""
        r.snapshot = String(decoding: try JSONEncoder().encode(bulletin), as: UTF8.self)
        try await req.db.writeTransaction { db in
            try await r.create(on: db)
            try await Audit.record(req, on: db, action: "publish", entity: "bulletin", id: r.id, region: jurisdiction.digits,
                                   after: summary(r))
        }
        return r
    }

    static func summary(_ r: BulletinRecord) -> BulletinSummary {
        BulletinSummary(id: r.id!, title: r.title, year: r.year, quarter: r.quarter, asOf: r.asOf, dataVersion: r.dataVersion,
                        publishedAt: r.publishedAt.map(ShanghaiCalendar.format) ?? "")
    }

    static func find(_ req: Request) async throws -> (BulletinRecord, Bulletin) {
        guard let id = req.parameters.get("id", as: Int.self),
              let r = try await BulletinRecord.find(id, on: try await req.replica())
        else {
            throw APIError.notFound("通报")
        }
        return (r, try JSONDecoder().decode(Bulletin.self, from: Data(r.snapshot.utf8)))
    }

    @Sendable static func apiIndex(req: Request) async throws -> [BulletinSummary] {
        try await BulletinRecord.query(on: req.db).sort(\.$year, .descending).sort(\.$quarter, .descending).sort(\.$id, .descending).all().map(summary)
    }
    @Sendable static func apiShow(req: Request) async throws -> Response { try await find(req).1.encodeResponse(for: req) }
    @Sendable static func apiPublish(req: Request) async throws -> Response {
        try await summary(try await publish(try req.content.decode(PublishInput.self), req: req)).encodeResponse(status: .created, for: req)
    }

    struct ListPage: Encodable { let shell: Shell; let bulletins: [BulletinSummary]; let canPublish: Bool; let year: Int; let quarter: Int }
    struct Page: Encodable { let shell: Shell; let record: BulletinSummary; let b: BulletinView }

    @Sendable static func index(req: Request) async throws -> View {
        let (y, q) = req.today.quarter == 1 ? (req.today.year - 1, 4) : (req.today.year, req.today.quarter - 1)   // the last ended quarter
        return try await req.view.render("bulletins/index", ListPage(shell: Shell(req), bulletins: try await apiIndex(req: req),
                                                                     canPublish: req.scope(for: .publishBulletins) != nil, year: y, quarter: q))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let r = try await publish(.init(year: f["year"].flatMap { Int($0) }, quarter: f["quarter"].flatMap { Int($0) }), req: req)
        return req.redirect(to: SiteURL.bulletin.path.replacingOccurrences(of: ":id", with: String(r.id!)))
    }

    @Sendable static func show(req: Request) async throws -> View {
        let (r, b) = try await find(req)
        let template = req.url.path.hasSuffix("/print") ? "bulletins/print" : "bulletins/show"
        return try await req.view.render(template, Page(shell: Shell(req), record: summary(r), b: BulletinView(b)))
    }

    @Sendable static func export(req: Request) async throws -> Response {
        let (r, b) = try await find(req)
        return try SheetDownload.response(BulletinView(b).sheet, sheetName: "季度通报", filename: "\(r.title)", req: req)
    }
}
