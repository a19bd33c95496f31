import BangfuKit
import Fluent
import Vapor

struct ApplicationInput: FormInput {
    var offerId: Int?
    var documents: String?
    init(form f: [String: String]) { offerId = f.int("offerId"); documents = f.text("documents") }
}

/// One step on an application. Which fields matter depends on the event.
struct StepInput: FormInput {
    var event: String?
    var reason: String?
    var days: Int?
    var validMonths: Int?
    var until: String?
    init(form f: [String: String]) {
        event = f.text("event"); reason = f.text("reason"); days = f.int("days")
        validMonths = f.int("validMonths"); until = f.text("until")
    }
}

struct ApplicationDTO: Content {
    let id: Int
    let offerId: Int
    let supplierId: Int?
    let regionCode: String
    let productName: String
    let documents: String
    let state: String
    let stateName: String
    let publicityEnds: String?
    let validFrom: String?
    let validUntil: String?
    let certificateNo: String?
    let reason: String?
    let counts: Bool
    let nextEvents: [String]

    init(_ a: ProductApplication, today: LocalDate) {
        id = a.id!; offerId = a.$offer.id; supplierId = a.$supplier.id; regionCode = a.regionCode
        productName = a.productName; documents = a.documents; state = a.state
        stateName = CertificationState(rawValue: a.state)?.chineseName ?? a.state
        publicityEnds = a.publicityEnds; validFrom = a.validFrom; validUntil = a.validUntil
        certificateNo = a.certificateNo; reason = a.reason; counts = a.record.counts(on: today)
        nextEvents = Certification.nextEvents(from: a.record.state)
    }
}

struct StepDTO: Content {
    let event: String, fromState: String, toState: String, reason: String?, actor: String, at: String
    init(_ s: CertificationStep) {
        event = s.event; fromState = CertificationState(rawValue: s.fromState)?.chineseName ?? s.fromState
        toState = CertificationState(rawValue: s.toState)?.chineseName ?? s.toState
        reason = s.reason; actor = s.actorName; at = ShanghaiCalendar.format(s.at)
    }
}

enum CertificationController {
    /// Township steps go through `review`; county steps through `decide`. The route's action is the gate.
    static let townshipEvents: Set<String> = ["townshipApprove", "townshipReject"]

    static func list(_ req: Request) async throws -> [ApplicationDTO] {
        var q = ProductApplication.query(on: req.db).scoped(by: req.scope)
        if let state: String = req.query["state"], CertificationState(rawValue: state) != nil { q = q.filter(\.$state == state) }
        let today = req.today
        return try await q.sort(\.$id, .descending).limit(500).all().map { ApplicationDTO($0, today: today) }
    }

    static func apply(_ input: ApplicationInput, req: Request) async throws -> ProductApplication {
        guard let oid = input.offerId,
              let offer = try await Offer.query(on: req.db).scoped(by: req.scope).filter(\.$id == oid).first()
        else { throw FieldError(field: "offerId", code: "not_found", message: "请选择本人/本辖区登记的产品") }
        if let sid = offer.$supplier.id { try await Blacklist.refuseIfListed(sid, on: req.db, today: req.today) }
        let open = try await ProductApplication.query(on: req.db).filter(\.$offer.$id == oid)
            .filter(\.$state !~ [CertificationState.rejected.rawValue, CertificationState.revoked.rawValue]).count()
        guard open == 0 else { throw APIError.conflict("offerId", "该产品已有进行中的认定申请或有效证书") }
        let a = ProductApplication()
        a.$offer.id = oid; a.$supplier.id = offer.$supplier.id; a.regionCode = offer.regionCode
        a.productName = offer.variety
        a.documents = try FormValue.text(input.documents, "documents", "申请材料说明", max: 1000)
        a.state = CertificationState.applied.rawValue
        try await req.db.writeTransaction { db in
            try await a.create(on: db)
            try await Audit.record(req, on: db, action: "apply", entity: "certification", id: a.id, region: a.regionCode,
                                   after: ["product": a.productName, "state": a.state])
        }
        return a
    }

    static func find(_ req: Request) async throws -> ProductApplication {
        guard let id = req.parameters.get("id", as: Int.self),
              let a = try await ProductApplication.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("认定申请") }
        return a
    }

    static func event(_ input: StepInput, today: LocalDate) throws -> CertificationEvent {
        let reason = input.reason ?? ""
        switch input.event ?? "" {
        case "townshipApprove": return .townshipApprove
        case "townshipReject": return .townshipReject(reason: reason)
        case "countyApprove": return .countyApprove
        case "countyReject": return .countyReject(reason: reason)
        case "publish": return .publish(on: today, days: input.days ?? 7)
        case "upholdObjection": return .upholdObjection(reason: reason)
        case "conclude": return .conclude(on: today, validMonths: input.validMonths ?? 24)
        case "renew":
            guard let until = input.until.flatMap(LocalDate.init) else { throw FieldError.invalid("until", "续期至", "如 2028-12-31") }
            return .renew(until: until)
        case "suspend": return .suspend(reason: reason)
        case "reinstate": return .reinstate
        case "revoke": return .revoke(reason: reason)
        default: throw FieldError.invalid("event", "操作")
        }
    }

    /// Applies one step through the domain's state machine, numbering the certificate on conclusion.
    static func step(_ input: StepInput, township: Bool, req: Request) async throws -> ProductApplication {
        guard township == townshipEvents.contains(input.event ?? "") else {
            throw APIError(status: .unprocessableEntity, code: "wrong_step", message: township ? "乡镇只能进行初审" : "初审请由乡镇办理", field: "event")
        }
        let a = try await find(req)
        let e = try event(input, today: req.today)
        let before = a.record
        do { a.record = try Certification.apply(e, to: before) } catch {
            throw APIError(status: .conflict, code: error.code, message: error.message, field: error.code == "reason_required" ? "reason" : "event")
        }
        if case .conclude = e { a.certificateNo = try await nextCertificateNo(a, req: req) }
        let actor = req.currentUser?.signature ?? ""
        try await req.db.writeTransaction { db in
            try await a.save(on: db)
            try await CatalogueListings.sync([a.$offer.id], today: req.today, on: db)
            let s = CertificationStep()
            s.$application.id = a.id!; s.event = e.name; s.fromState = before.state.rawValue; s.toState = a.state
            s.reason = a.reason; s.actorName = actor; s.at = Date()
            try await s.create(on: db)
            try await Audit.record(req, on: db, action: e.name, entity: "certification", id: a.id, region: a.regionCode,
                                   before: ["state": before.state.rawValue], after: ["state": a.state, "certificateNo": a.certificateNo ?? ""])
        }
        return a
    }

    /// 帮认500235-2026-0001: county, year, sequence within the county and year — after the highest issued, so a
    /// number once given (even to an application since withdrawn) is never given twice.
    static func nextCertificateNo(_ a: ProductApplication, req: Request) async throws -> String {
        let county = String(a.regionCode.prefix(6)), year = req.today.year
        let prefix = "帮认\(county)-\(year)-"
        let issued = try await ProductApplication.query(on: req.db).filter(\.$certificateNo =~ prefix).all()
            .compactMap { $0.certificateNo.flatMap { Int($0.dropFirst(prefix.count)) } }
        return prefix + String(format: "%04d", (issued.max() ?? 0) + 1)
    }

    struct IndexPage: Encodable { let shell: Shell; let rows: [ApplicationDTO]; let canApply: Bool; let state: String }
    struct ShowPage: Encodable {
        let shell: Shell; let application: ApplicationDTO; let steps: [StepDTO]; let documents: [AttachmentDTO]
        let canReview: Bool; let canDecide: Bool; let canAttach: Bool; let error: String?
    }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("certifications/index", IndexPage(shell: Shell(req), rows: try await list(req),
                                  canApply: req.scope(for: .applyCertification) != nil, state: req.query["state"] ?? ""))
    }

    static func offerOptions(_ req: Request) async throws -> [String: [FormPage.Option]] {
        let offers = try await Offer.query(on: req.db).scoped(by: req.scope).sort(\.$id).limit(500).all()
        return ["offerId": offers.map { .init(value: String($0.id!), label: "\($0.id!) · \($0.variety) · \($0.sellerMasked)") }]
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, "certifications/new", options: try await offerOptions(req))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, "certifications/new", ApplicationInput.self, options: try await offerOptions(req)) {
            SiteURL.certification.path(id: try await apply($0, req: req).id!)
        }
    }

    static func showPage(_ req: Request, _ a: ProductApplication, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let steps = try await CertificationStep.query(on: req.db).filter(\.$application.$id == a.id!).sort(\.$id).all()
        return try await req.render("certifications/show", ShowPage(
            shell: Shell(req), application: ApplicationDTO(a, today: req.today), steps: steps.map(StepDTO.init),
            documents: try await AttachmentController.list(.document, entityID: a.id!, on: req.db),
            canReview: req.scope(for: .reviewInTownship)?.covers(region: a.regionCode) == true,
            canDecide: req.scope(for: .certifyProducts)?.covers(region: a.regionCode) == true,
            canAttach: req.scope(for: .applyCertification) != nil && a.record.state == .applied, error: error), status: status)
    }

    @Sendable static func show(req: Request) async throws -> Response { try await showPage(req, try await find(req)) }

    static func submitStep(_ req: Request, township: Bool) async throws -> Response {
        do {
            let a = try await step(try StepInput(form: StepInput.formValues(req)), township: township, req: req)
            return req.redirect(to: SiteURL.certification.path(id: a.id!))
        } catch let e as APIError where e.status == .conflict || e.code == "wrong_step" {
            return try await showPage(req, try await find(req), error: e.message, status: e.status)
        } catch let e as FieldError {
            return try await showPage(req, try await find(req), error: e.message, status: .unprocessableEntity)
        }
    }

    @Sendable static func review(req: Request) async throws -> Response { try await submitStep(req, township: true) }
    @Sendable static func decide(req: Request) async throws -> Response { try await submitStep(req, township: false) }

    @Sendable static func apiIndex(req: Request) async throws -> [ApplicationDTO] { try await list(req) }
    @Sendable static func apiShow(req: Request) async throws -> ApplicationDTO { ApplicationDTO(try await find(req), today: req.today) }
    @Sendable static func apiCreate(req: Request) async throws -> Response {
        try await ApplicationDTO(try await apply(try ApplicationInput.decode(req), req: req), today: req.today)
            .encodeResponse(status: .created, for: req)
    }
    @Sendable static func apiReview(req: Request) async throws -> ApplicationDTO {
        ApplicationDTO(try await step(try StepInput.decode(req), township: true, req: req), today: req.today)
    }
    @Sendable static func apiDecide(req: Request) async throws -> ApplicationDTO {
        ApplicationDTO(try await step(try StepInput.decode(req), township: false, req: req), today: req.today)
    }
}
