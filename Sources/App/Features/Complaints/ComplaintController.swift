import BangfuKit
import Fluent
import Vapor

struct ComplaintInput: FormInput {
    var offerId: Int?
    var supplierId: Int?
    var content: String?
    var evidence: String?
    var contactName: String?
    var contactPhone: String?
    init(form f: [String: String]) {
        offerId = f.int("offerId"); supplierId = f.int("supplierId"); content = f.text("content")
        evidence = f.text("evidence"); contactName = f.text("contactName"); contactPhone = f.text("contactPhone")
    }
}

struct ReplyInput: FormInput {
    var reply: String?
    init(form f: [String: String]) { reply = f.text("reply") }
}

struct ComplaintDTO: Content {
    let id: Int, offerId: Int?, supplierId: Int?, regionCode: String, content: String, evidence: String?
    let contactName: String, contactPhone: String, status: String, reply: String?, dueOn: String, overdue: Bool

    init(_ c: Complaint, today: LocalDate) {
        id = c.id!; offerId = c.$offer.id; supplierId = c.$supplier.id; regionCode = c.regionCode; content = c.content
        evidence = c.evidence; contactName = Mask.name(c.contactName); contactPhone = c.contactPhoneMasked
        status = c.status; reply = c.reply; dueOn = c.dueOn
        overdue = c.status == "open" && (LocalDate(c.dueOn).map { $0 < today } ?? false)
    }
}

/// 投诉举报: anyone files one, without an account; the office of the target's region answers within 15 days.
enum ComplaintController {
    static let answerDays = 15

    static func file(_ input: ComplaintInput, req: Request) async throws -> Complaint {
        let c = Complaint()
        if let oid = input.offerId {
            guard let o = try await Offer.find(oid, on: req.db) else { throw FieldError.invalid("offerId", "产品编号") }
            c.$offer.id = oid; c.$supplier.id = o.$supplier.id; c.regionCode = o.regionCode
        } else if let sid = input.supplierId {
            guard let s = try await Supplier.find(sid, on: req.db) else { throw FieldError.invalid("supplierId", "主体编号") }
            c.$supplier.id = sid; c.regionCode = s.regionCode
        } else {
            throw FieldError.required("offerId", "被投诉的产品编号")
        }
        c.content = try FormValue.text(input.content, "content", "投诉内容", max: 2000)
        c.evidence = try FormValue.optionalText(input.evidence, "evidence", "证据说明", max: 2000)
        let name = try FormValue.text(input.contactName, "contactName", "联系人", max: 20)
        guard let phone = try FormValue.phone(input.contactPhone, "contactPhone") else { throw FieldError.required("contactPhone", "联系电话") }
        c.contactName = name
        c.contactPhoneSealed = try req.fieldCipher.seal(phone); c.contactPhoneMasked = Mask.phone(phone)
        c.status = "open"
        c.dueOn = req.today.adding(days: answerDays).description
        try await req.db.writeTransaction { db in
            try await c.create(on: db)
            try await Audit.record(req, on: db, action: "file", entity: "complaint", id: c.id, region: c.regionCode,
                                   after: ["offerId": c.$offer.id.map(String.init) ?? "", "dueOn": c.dueOn])
        }
        return c
    }

    static func find(_ req: Request) async throws -> Complaint {
        guard let id = req.parameters.get("id", as: Int.self),
              let c = try await Complaint.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("投诉") }
        return c
    }

    static func reply(_ input: ReplyInput, req: Request) async throws -> Complaint {
        let c = try await find(req)
        guard c.status == "open" else { throw APIError(status: .conflict, code: "closed", message: "该投诉已办结", field: "reply") }
        c.reply = try FormValue.text(input.reply, "reply", "答复", max: 2000)
        c.status = "closed"; c.closedAt = Date()
        try await req.db.writeTransaction { db in
            try await c.save(on: db)
            try await Audit.record(req, on: db, action: "reply", entity: "complaint", id: c.id, region: c.regionCode,
                                   before: ["status": "open"], after: ["status": "closed"])
        }
        return c
    }

    static func list(_ req: Request) async throws -> [ComplaintDTO] {
        let today = req.today
        return try await Complaint.query(on: req.db).scoped(by: req.scope).sort(\.$id, .descending).limit(500).all()
            .map { ComplaintDTO($0, today: today) }
    }

    struct Page: Encodable { let shell: Shell; let complaint: ComplaintDTO; let errors: [String: String] }
    struct Filed: Encodable { let shell: Shell; let id: Int; let dueOn: String }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("complaints/index", ListPage(shell: Shell(req), rows: try await list(req)))
    }

    @Sendable static func new(req: Request) async throws -> View {
        var page = FormPage(shell: Shell(req, form: true))
        page.values["offerId"] = req.query["offer"] ?? ""
        page.notice = try await productName(page.values["offerId"], on: req.db)
        return try await req.view.render("complaints/new", page)
    }

    /// The product a complaint is about, named as its public page names it (the form carries its id, never typed).
    static func productName(_ id: String?, on db: any Database) async throws -> String? {
        guard let id = id.flatMap({ Int($0) }), let o = try await Offer.find(id, on: db) else { return nil }
        return "\(o.variety)（\(o.sellerMasked)）"
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let values = try ComplaintInput.formValues(req)
        do {
            let c = try await file(ComplaintInput(form: values), req: req)
            return try await req.view.render("complaints/filed", Filed(shell: Shell(req), id: c.id!, dueOn: c.dueOn)).encodeResponse(for: req)
        } catch let e as FieldError {
            var page = FormPage(shell: Shell(req, form: true))
            page.values = values
            page.errors = [e.field: e.message]
            page.notice = try await productName(values["offerId"], on: req.db)
            return try await req.render("complaints/new", page, status: .unprocessableEntity)
        }
    }

    @Sendable static func show(req: Request) async throws -> View {
        try await req.view.render("complaints/show", Page(shell: Shell(req), complaint: ComplaintDTO(try await find(req), today: req.today), errors: [:]))
    }

    @Sendable static func submitReply(req: Request) async throws -> Response {
        do {
            let c = try await reply(try ReplyInput(form: ReplyInput.formValues(req)), req: req)
            return req.redirect(to: SiteURL.complaint.path(id: c.id!))
        } catch let e as FieldError {
            let page = Page(shell: Shell(req), complaint: ComplaintDTO(try await find(req), today: req.today), errors: [e.field: e.message])
            return try await req.render("complaints/show", page, status: .unprocessableEntity)
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [ComplaintDTO] { try await list(req) }
    @Sendable static func apiCreate(req: Request) async throws -> Response {
        try await ComplaintDTO(try await file(try ComplaintInput.decode(req), req: req), today: req.today).encodeResponse(status: .created, for: req)
    }
    @Sendable static func apiReply(req: Request) async throws -> ComplaintDTO {
        ComplaintDTO(try await reply(try ReplyInput.decode(req), req: req), today: req.today)
    }
}
