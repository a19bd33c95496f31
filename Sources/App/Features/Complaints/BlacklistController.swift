import BangfuKit
import Fluent
import Vapor

struct BlacklistInput: FormInput {
    var supplierId: Int?
    var reason: String?
    var endsOn: String?
    init(form f: [String: String]) { supplierId = f.int("supplierId"); reason = f.text("reason"); endsOn = f.text("endsOn") }
}

struct BlacklistDTO: Content {
    let id: Int, supplierId: Int, supplierName: String, regionCode: String, reason: String, startsOn: String, endsOn: String?
}

/// 黑名单: public to read, kept by the county office; listing bars offers and applications and
/// takes the entity's certified products out of the catalogue.
enum BlacklistController {
    static func active(_ req: Request) async throws -> [BlacklistDTO] {
        try await Blacklist.active(on: req.db, today: req.today).with(\.$supplier).sort(\.$id, .descending).all().map {
            BlacklistDTO(id: $0.id!, supplierId: $0.$supplier.id, supplierName: $0.supplier.name, regionCode: $0.regionCode,
                         reason: $0.reason, startsOn: $0.startsOn, endsOn: $0.endsOn)
        }
    }

    static func add(_ input: BlacklistInput, req: Request) async throws -> BlacklistEntry {
        guard let sid = input.supplierId, let s = try await Supplier.find(sid, on: req.db),
              req.scope.covers(region: s.regionCode) else { throw FieldError.invalid("supplierId", "供给主体编号") }
        let e = BlacklistEntry()
        e.$supplier.id = sid; e.regionCode = s.regionCode
        e.reason = try FormValue.text(input.reason, "reason", "列入理由", max: 500)
        e.startsOn = req.today.description
        if let text = input.endsOn {
            let ends = try FormValue.date(text, "endsOn", "截止日期")
            guard ends > req.today else { throw FieldError(field: "endsOn", code: "in_past", message: "截止日期应晚于今天") }
            e.endsOn = ends.description
        }
        try await req.db.writeTransaction { db in
            try await e.create(on: db)
            try await CatalogueListings.sync(suppliers: [sid], today: req.today, on: db)
            try await Audit.record(req, on: db, action: "blacklist", entity: "supplier", id: sid, region: s.regionCode,
                                   after: ["reason": e.reason, "endsOn": e.endsOn ?? ""])
        }
        return e
    }

    struct Page: Encodable {
        let shell: Shell; let rows: [BlacklistDTO]; let canManage: Bool; let errors: [String: String]
        var suppliers: [FormPage.Option] = []
    }

    static func page(_ req: Request, errors: [String: String] = [:]) async throws -> Page {
        let canManage = req.scope(for: .manageBlacklist) != nil
        let suppliers = canManage
            ? try await Pickers.choices(["supplierId": .supplier], req: req).options["supplierId"] ?? [] : []
        return Page(shell: Shell(req), rows: try await active(req), canManage: canManage, errors: errors,
                    suppliers: suppliers)
    }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("blacklist/index", try await page(req))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        do {
            _ = try await add(try BlacklistInput(form: BlacklistInput.formValues(req)), req: req)
            return req.redirect(to: SiteURL.blacklist.path)
        } catch let e as FieldError {
            return try await req.render("blacklist/index", try await page(req, errors: [e.field: e.message]),
                                        status: .unprocessableEntity)
        }
    }

    @Sendable static func lift(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self),
              let e = try await BlacklistEntry.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("黑名单记录") }
        e.liftedAt = Date()
        try await req.db.writeTransaction { db in
            try await e.save(on: db)
            try await CatalogueListings.sync(suppliers: [e.$supplier.id], today: req.today, on: db)
            try await Audit.record(req, on: db, action: "lift_blacklist", entity: "supplier", id: e.$supplier.id, region: e.regionCode)
        }
        return req.redirect(to: SiteURL.blacklist.path)
    }

    @Sendable static func apiIndex(req: Request) async throws -> [BlacklistDTO] { try await active(req) }
}
