import BangfuKit
import Fluent
import Vapor

enum HouseholdController {
    static let template = "households/new"
    static var options: [String: [FormPage.Option]] { ["status": HouseholdStatus.options] }

    static func list(_ req: Request) async throws -> [HouseholdDTO] {
        try await Household.query(on: req.db).scoped(by: req.scope).sort(\.$regionCode).sort(\.$id).all()
            .map { HouseholdDTO($0) }
    }

    /// Stores the name, ID number and phone sealed, with masks for display and a keyed hash for uniqueness.
    static func create(_ input: HouseholdInput, req: Request) async throws -> Household {
        let region = try await Guard.region(input.regionCode, scope: req.scope, on: req.db)
        let status: HouseholdStatus = try FormValue.choice(input.status, "status", "户类型")
        let name = try FormValue.text(input.name, "name", "户主姓名", max: 20)
        let id = try FormValue.residentID(input.idNumber)
        let phone = try FormValue.phone(input.phone)
        let members = input.members ?? 1
        guard (1...30).contains(members) else {
            throw FieldError(field: "members", code: "out_of_range", message: "家庭人口应在1到30之间")
        }
        let h = try Household.sealed(region: region, status: status, name: name, id: id, phone: phone,
                                     members: members, cipher: req.fieldCipher)
        if try await Household.query(on: req.db).filter(\.$idLookup == h.idLookup).count() > 0 {
            throw APIError.conflict("idNumber", "该身份证号已在本县登记")
        }
        let elsewhere = try await Household.query(on: req.db).filter(\.$personLookup == h.personLookup).all().map(\.regionCode)
        try await req.db.writeTransaction { db in
            try await h.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "household", id: h.id, region: h.regionCode,
                                   after: HouseholdDTO(h))
            // Told only to the office above both counties, whose audit trail covers the common region.
            if let common = RegionCode.commonAncestor(of: elsewhere + [h.regionCode]), !elsewhere.isEmpty {
                try await Audit.record(req, on: db, action: "household.registered_in_several_counties",
                    entity: "household",
                                       id: h.id, region: common.digits)
            }
        }
        return h
    }

    /// One household; identities are opened only for a viewer whose identity scope covers it, and the reading is logged.
    static func find(_ req: Request) async throws -> HouseholdDTO {
        guard let id = req.parameters.get("id", as: Int.self),
              let h = try await Household.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("脱贫户") }
        guard let identityScope = req.scope(for: .readHouseholdIdentity), identityScope.covers(region: h.regionCode) else {
            return HouseholdDTO(h)
        }
        let c = req.fieldCipher
        let identity = (name: try c.open(h.nameSealed), id: try c.open(h.idSealed), phone: try h.phoneSealed.map(c.open))
        try await Audit.record(req, on: req.db, action: "read_identity", entity: "household", id: h.id, region: h.regionCode)
        return HouseholdDTO(h, identity: identity)
    }

    @Sendable static func index(req: Request) async throws -> View {
        let page = ListPage(shell: Shell(req), rows: try await list(req), canCreate: req.scope(for: .editHouseholds) != nil)
        return try await req.view.render("households/index", page)
    }

    struct ShowPage: Encodable { let shell: Shell; let household: HouseholdDTO }

    @Sendable static func show(req: Request) async throws -> View {
        try await req.view.render("households/show", ShowPage(shell: Shell(req), household: try await find(req)))
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, template, options: options, pickers: HouseholdInput.pickers)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, HouseholdInput.self, options: options) {
            _ = try await create($0, req: req)
            return SiteURL.households.path
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [HouseholdDTO] { try await list(req) }
    @Sendable static func apiShow(req: Request) async throws -> HouseholdDTO { try await find(req) }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let h = try await create(try HouseholdInput.decode(req), req: req)
        return try await HouseholdDTO(h).encodeResponse(status: .created, for: req)
    }
}
