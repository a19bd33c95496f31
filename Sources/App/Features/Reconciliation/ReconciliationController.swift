import BangfuKit
import Fluent
import SQLKit
import Vapor

struct LinkDTO: Content {
    let id: Int, purchaseId: Int, otherKind: String, otherId: Int, score: Int, reasons: String, contradicts: Bool
    let ambiguous: Bool, status: String, decidedBy: String?
    init(_ l: ReconciliationLink) {
        id = l.id!; purchaseId = l.purchaseID; otherKind = l.otherKind; otherId = l.otherID; score = l.score
        reasons = l.reasons; contradicts = l.contradicts; ambiguous = l.ambiguous; status = l.status
        decidedBy = l.decidedBy
    }
}

/// 三方对账 over the API and as the office's page: carriers' files in, a period run, proposals decided, 可溯源率.
enum ReconciliationController {
    /// The period asked for, or this quarter so far.
    static func period(_ req: Request) throws -> (LocalDate, LocalDate) {
        let today = req.today
        let start = LocalDate(year: today.year, month: (today.quarter - 1) * 3 + 1, day: 1)
        return try ReconciliationService.period(.init(from: req.query["from"] ?? start.description,
                                                      to: req.query["to"] ?? today.description), today: today)
    }

    /// The period's proposals in the caller's places, contradictions and ambiguous ones first: one query.
    static func links(_ req: Request, from: LocalDate, to: LocalDate,
        limit: Int = 500) async throws -> [ReconciliationLink] {
        guard case .region(let r) = req.scope(for: .viewReconciliation) ?? req.scope else { return [] }
        struct Id: Decodable { let id: Int }
        let ids = try await (req.db as! any SQLDatabase).raw("""
            SELECT l.id FROM reconciliation_links l JOIN purchases p ON p.id = l.purchase_id
            WHERE l.origin_code LIKE \(bind: r.subtreePrefix + "%") AND p.purchased_on >= \(bind: from.description)
                AND p.purchased_on <= \(bind: to.description)
            ORDER BY l.contradicts DESC, l.ambiguous DESC, l.score DESC, l.id
            LIMIT \(bind: limit)
            """).all(decoding: Id.self).map(\.id)
        let links = try await ReconciliationLink.query(on: req.db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: links.map { ($0.id!, $0) })
        return ids.compactMap { byID[$0] }
    }

    /// The run's summary; `?async=1` queues it as a job (202), as a province's quarter needs.
    @Sendable static func apiRun(req: Request) async throws -> Response {
        let input = try req.content.decode(ReconciliationService.RunInput.self)
        if req.query["async"] == "1" { return try await ReconciliationJobs.start(.reconciliation, input, req: req) }
        return try await ReconciliationService.run(input, caller: Caller(req), on: req.db).encodeResponse(for: req)
    }

    @Sendable static func apiLinks(req: Request) async throws -> [LinkDTO] {
        let (from, to) = try period(req)
        return try await links(req, from: from, to: to).map(LinkDTO.init)
    }

    @Sendable static func apiConfirm(req: Request) async throws -> LinkDTO {
        LinkDTO(try await ReconciliationService.decide(req.parameters.get("id", as: Int.self), confirm: true, req: req))
    }

    @Sendable static func apiReject(req: Request) async throws -> LinkDTO {
        LinkDTO(try await ReconciliationService.decide(req.parameters.get("id", as: Int.self), confirm: false,
            req: req))
    }

    @Sendable static func apiTraceability(req: Request) async throws -> Traceability.Report {
        let (from, to) = try period(req)
        return try await Traceability.report(req, from: from, to: to)
    }

    // MARK: the page

    struct Page: Encodable {
        let shell: Shell; let from: String; let to: String; let canRun: Bool; let carriers: [String]
        let traceability: Traceability.Report; let links: [LinkDTO]; let flags: [FlagDTO]
        let flagCounts: [LedgerFlags.RuleCount]; let flagRule: String
        var summary: ReconciliationService.Summary? = nil
        var logistics: LogisticsImport.Report? = nil
        var error: String? = nil
    }

    static func page(_ req: Request) async throws -> Page {
        let (from, to) = try period(req)
        return Page(shell: Shell(req), from: from.description, to: to.description,
                    canRun: req.scope(for: .reconcile) != nil, carriers: LogisticsMapping.presets.map(\.carrier),
                    traceability: try await Traceability.report(req, from: from, to: to),
                    links: try await links(req, from: from, to: to, limit: 200).map(LinkDTO.init),
                    flags: try await LedgerFlags.list(req).map(FlagDTO.init),
                    flagCounts: try await LedgerFlags.counts(req), flagRule: try LedgerFlags.rule(req)?.rawValue ?? "")
    }

    @Sendable static func show(req: Request) async throws -> View {
        try await req.view.render("reconciliation/index", try await page(req))
    }

    /// The page's run and scan are jobs: the page goes to the job's, which leads back to the period's results.
    @Sendable static func submitRun(req: Request) async throws -> Response {
        try await submitJob(.reconciliation, req: req)
    }

    @Sendable static func submitLogistics(req: Request) async throws -> Response {
        struct Fields: Decodable { let carrier: String? }
        var page = try await page(req)
        do {
            page.logistics = try await LogisticsImport.run(req, carrier: try req.content.decode(Fields.self).carrier)
            return try await req.render("reconciliation/index", page, status: .ok)
        } catch let e as ImportRejected {
            page.logistics = LogisticsImport.Report(errors: e.errors)
        } catch let e as FieldError {
            page.error = e.message
        }
        return try await req.render("reconciliation/index", page, status: .unprocessableEntity)
    }

    @Sendable static func submitFlagScan(req: Request) async throws -> Response {
        try await submitJob(.flagScan, req: req)
    }

    private static func submitJob(_ kind: ReconciliationJobs.Kind, req: Request) async throws -> Response {
        let f = try NeedInput.formValues(req)
        do {
            return try await ReconciliationJobs.start(kind, .init(from: f["from"], to: f["to"]), req: req)
        } catch let e as FieldError {
            var page = try await page(req)
            page.error = e.message
            return try await req.render("reconciliation/index", page, status: .unprocessableEntity)
        }
    }

    @Sendable static func submitFlagResolve(req: Request) async throws -> Response {
        let f = try NeedInput.formValues(req)
        do {
            _ = try await LedgerFlags.resolve(req.parameters.get("id", as: Int.self),
                                              .init(status: f["status"], note: f["note"]), req: req)
            return req.redirect(to: back(req) + "#flags")
        } catch let e as FieldError {
            var page = try await page(req)
            page.error = e.message
            return try await req.render("reconciliation/index", page, status: .unprocessableEntity)
        }
    }

    static func decideForm(confirm: Bool) -> @Sendable (Request) async throws -> Response {
        { req in
            _ = try await ReconciliationService.decide(req.parameters.get("id", as: Int.self), confirm: confirm,
                req: req)
            return req.redirect(to: back(req))
        }
    }

    /// Back to the page the office was on (its period and rule), never to another host.
    static func back(_ req: Request) -> String {
        req.headers.first(name: .referer).flatMap(URLComponents.init(string:))
            .flatMap { url in
                guard url.path == "/reconciliation" else { return nil }
                return "/reconciliation" + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
            } ?? "/reconciliation"
    }
}
