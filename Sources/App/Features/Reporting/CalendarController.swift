import BangfuKit
import Fluent
import Vapor

/// The reporting calendar: who has reported for a period, on time or late; 催报 of the overdue; 报送 by reporters.
enum CalendarController {
    struct Line: Content { let reporter: String; let name: String; let status: String; let statusName: String; let submittedOn: String? }
    struct Status: Content {
        let period: String, periodName: String, due: String
        let lines: [Line]
        let completeness: String, onTime: String, overdue: Int
    }

    static func period(_ text: String?, today: LocalDate) throws -> ReportingPeriod {
        guard let text, !text.isEmpty else { return .month(today.year, today.month) }
        guard let p = ReportingPeriod(text) else { throw FieldError.invalid("period", "报送期间", "如“2026-11”或“2026-Q4”") }
        return p
    }

    static func status(_ req: Request) async throws -> Status {
        let j = try PeriodController.jurisdiction(req)
        let calendar = try await CalendarSettings.calendar(for: j, on: req.db)
        let p = try period(req.query["period"], today: req.today)
        let reporters = try await Reporter.expected(in: j, on: req.db)
        let submitted = Dictionary(try await Submission.query(on: req.db).filter(\.$period == p.description)
            .filter(\.$reporter ~~ reporters.map(\.key)).all().map { ($0.reporter, $0.submittedOn) }, uniquingKeysWith: { a, _ in a })
        let lines = reporters.map { r in
            let s = calendar.status(of: p, submittedOn: submitted[r.key].flatMap(LocalDate.init), today: req.today)
            return Line(reporter: r.key, name: r.name, status: s.rawValue, statusName: s.chineseName, submittedOn: submitted[r.key])
        }
        let n = max(1, lines.count)
        return Status(period: p.description, periodName: p.chineseName, due: p.due(calendar).description, lines: lines,
                      completeness: ProgressDTO.percent(submitted.count * 10_000 / n),
                      onTime: ProgressDTO.percent(lines.filter { $0.status == "onTime" }.count * 10_000 / n),
                      overdue: lines.filter { $0.status == "overdue" }.count)
    }

    struct SubmitInput: Content { var period: String? }

    static func submit(_ input: SubmitInput, req: Request) async throws -> Submission {
        guard let reporter = Reporter.of(req.currentUser) else {
            throw APIError(status: .unprocessableEntity, code: "not_reporter", message: "只有乡镇（街道）和牵头单位报送", field: nil)
        }
        let p = try period(input.period, today: req.today)
        guard p.months.first! <= req.today.monthKey else { throw FieldError.invalid("period", "报送期间", "不能报送未开始的期间") }
        if try await Submission.query(on: req.db).filter(\.$reporter == reporter).filter(\.$period == p.description).first() != nil {
            throw APIError(status: .conflict, code: "already_submitted", message: "\(p.chineseName)已报送", field: "period")
        }
        let s = Submission()
        s.reporter = reporter; s.period = p.description; s.submittedOn = req.today.description; s.submittedBy = req.currentUser!.username
        if reporter.hasPrefix("system:"), let sys = try await LeadSystem.find(req.currentUser!.$system.id, on: req.db) {
            s.reporterName = sys.name; s.jurisdictionCode = sys.regionCode
        } else {
            let code = req.currentUser!.regionCode!
            s.reporterName = try await Region.find(code, on: req.db)?.name ?? code; s.jurisdictionCode = code
        }
        try await req.db.writeTransaction { db in
            try await s.create(on: db)
            try await Audit.record(req, on: db, action: "submit", entity: "submission", id: s.id, region: s.jurisdictionCode,
                                   after: ["reporter": reporter, "period": p.description])
        }
        return s
    }

    /// 催报: a reminder to every reporter overdue for the period, through each configured channel.
    static func remind(_ req: Request, channels: [any ReminderChannel] = [InAppReminders()]) async throws -> [Line] {
        let st = try await status(req)
        let overdue = st.lines.filter { $0.status == "overdue" }
        let text = "\(st.periodName)的消费帮扶数据应于\(st.due)前报送，请尽快报送。"
        let sender = req.currentUser?.username ?? ""
        try await req.db.writeTransaction { db in
            for line in overdue { for c in channels { try await c.send(to: line.reporter, text: text, sentBy: sender, on: db) } }
            try await Audit.record(req, on: db, action: "remind", entity: "calendar", id: nil, region: nil,
                                   after: ["period": st.period, "reporters": overdue.map(\.reporter).joined(separator: ",")])
        }
        return overdue
    }

    static func notices(for user: User?, on db: any Database) async throws -> [Notice] {
        let keys = Reporter.noticeKeys(of: user)
        guard !keys.isEmpty else { return [] }
        return try await Notice.query(on: db).filter(\.$reporter ~~ keys).sort(\.$id, .descending).limit(10).all()
    }

    @Sendable static func apiStatus(req: Request) async throws -> Status { try await status(req) }

    /// An office sets its region's due days (seed 000: the 25th; seed 003: the 30th of a quarter's last month).
    @Sendable static func apiSettings(req: Request) async throws -> ReportingCalendar {
        let j = try PeriodController.jurisdiction(req)
        guard req.method == .PUT else { return try await CalendarSettings.calendar(for: j, on: req.db) }
        let input = try req.content.decode(ReportingCalendar.self)
        guard (1...28).contains(input.monthlyDueDay) else { throw FieldError.invalid("monthlyDueDay", "月报截止日", "应为1–28") }
        guard (1...31).contains(input.quarterlyDueDay) else { throw FieldError.invalid("quarterlyDueDay", "季报截止日", "应为1–31") }
        let row = try await CalendarSettings.query(on: req.db).filter(\.$jurisdictionCode == j.digits).first() ?? CalendarSettings()
        let before = row.id == nil ? nil : ReportingCalendar(monthlyDueDay: row.monthlyDueDay, quarterlyDueDay: row.quarterlyDueDay)
        row.jurisdictionCode = j.digits; row.monthlyDueDay = input.monthlyDueDay; row.quarterlyDueDay = input.quarterlyDueDay
        try await req.db.writeTransaction { db in
            try await row.save(on: db)
            try await Audit.record(req, on: db, action: "update", entity: "calendar", id: row.id, region: j.digits, before: before, after: input)
        }
        return input
    }
    @Sendable static func apiSubmit(req: Request) async throws -> Response {
        let s = try await submit(try req.content.decode(SubmitInput.self), req: req)
        return try await ["reporter": s.reporter, "period": s.period, "submittedOn": s.submittedOn].encodeResponse(status: .created, for: req)
    }
    @Sendable static func apiRemind(req: Request) async throws -> [Line] { try await remind(req) }

    struct Page: Encodable {
        let shell: Shell; let status: Status?; let periods: [PeriodController.PeriodDTO]; let canClose: Bool
        let reporter: String?; let notices: [String]; let today: String; let lastMonth: String
        var error: String? = nil
        /// The jurisdiction's ledger and order rules (`LedgerSettings`), set from this page.
        var settings: LedgerSettings.Values? = nil
    }

    @Sendable static func index(req: Request) async throws -> View { try await page(req) }

    static func page(_ req: Request, error: String? = nil) async throws -> View {
        let office = req.scope(for: .manageReporting) != nil
        let last = req.today.adding(months: -1).monthKey
        return try await req.view.render("reporting/index", Page(
            shell: Shell(req), status: office ? try await status(req) : nil, periods: office ? try await PeriodController.list(req) : [],
            canClose: office, reporter: Reporter.of(req.currentUser), notices: try await notices(for: req.currentUser, on: req.db).map(\.text),
            today: req.today.description, lastMonth: last, error: error,
            settings: office ? try await LedgerSettings.values(for: PeriodController.jurisdiction(req),
                on: req.db).values
                : nil))
    }

    /// The page's forms: close or reopen a month, 催报, 报送.
    @Sendable static func act(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        do {
            switch f["do"] {
            case "close": _ = try await PeriodController.close(.init(month: f["month"]), req: req)
            case "reopen": _ = try await PeriodController.reopen(.init(month: f["month"], reason: f["reason"]), req: req)
            case "remind": _ = try await remind(req)
            case "ledgerSettings":
                guard let days = f["paymentDays"].flatMap(Int.init), (1...365).contains(days) else {
                    throw FieldError(field: "paymentDays", code: "out_of_range", message: "付款期限须为1–365天")
                }
                let values = LedgerSettings.Values(proofMandatory: f["proofMandatory"] == "1",
                                                   orderRule: f["orderRule"].flatMap(OrderFlow.LedgerRule.init),
                                                   paymentDays: days,
                                                   uncertifiedCounts: UncertifiedRule.choice(f["uncertifiedRule"]))
                try await LedgerSettings.save(values, for: PeriodController.jurisdiction(req), req: req)
            default: _ = try await submit(.init(period: f["period"]), req: req)
            }
        } catch let e as FieldError {
            return try await page(req, error: e.message).encodeResponse(status: .unprocessableEntity, for: req)
        } catch let e as APIError where e.status != .forbidden {
            // The page again, with what was wrong beside the forms, rather than an error page.
            return try await page(req, error: e.message).encodeResponse(status: e.status, for: req)
        }
        return req.redirect(to: SiteURL.reporting.path + (f["period"].map { "?period=\($0)" } ?? ""))
    }
}
