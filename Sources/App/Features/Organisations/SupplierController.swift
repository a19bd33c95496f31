import BangfuKit
import Fluent
import Vapor

enum SupplierController {
    static let template = "suppliers/new"
    static var options: [String: [FormPage.Option]] { ["kind": SupplierKind.options] }

    static func list(_ req: Request) async throws -> [Supplier] {
        try await Supplier.query(on: req.db).scoped(by: req.scope).sort(\.$regionCode).sort(\.$name).all()
    }

    /// Creates a supplier inside the caller's region; a household supplier takes its masked name.
    static func create(_ input: SupplierInput, req: Request) async throws -> Supplier {
        let kind: SupplierKind = try FormValue.choice(input.kind, "kind", "主体类型")
        let region = try await Guard.region(input.regionCode, scope: req.scope, on: req.db)
        let s = Supplier()
        s.kind = kind.rawValue
        s.regionCode = region.digits
        s.creditCode = try FormValue.creditCode(input.creditCode)?.value
        if kind.needsCreditCode && s.creditCode == nil { throw FieldError.required("creditCode", "统一社会信用代码") }
        let contactName = try FormValue.optionalText(input.contactName, "contactName", "供货联系人", max: 20)
        let contactPhone = try FormValue.phone(input.contactPhone, "contactPhone")
        if kind == .household {
            guard let hid = input.householdId,
                  let h = try await Household.query(on: req.db).scoped(by: req.scope).filter(\.$id == hid).first()
            else { throw FieldError.required("householdId", "对应的脱贫户") }
            s.$household.id = hid
            s.name = h.nameMasked
        } else {
            s.name = try FormValue.text(input.name, "name", "主体名称")
        }
        try s.setContact(name: contactName, phone: contactPhone, cipher: req.fieldCipher)
        if let code = s.creditCode, try await Supplier.query(on: req.db).filter(\.$creditCode == code).count() > 0 {
            throw APIError.conflict("creditCode", "统一社会信用代码 \(code) 已登记")
        }
        try await req.db.writeTransaction { db in
            try await s.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "supplier", id: s.id, region: s.regionCode,
                                   after: SupplierDTO(s))
        }
        return s
    }

    @Sendable static func index(req: Request) async throws -> View {
        let rows = try await list(req).map(SupplierDTO.init)
        let page = ListPage(shell: Shell(req), rows: rows, canCreate: req.scope(for: .editSuppliers) != nil)
        return try await req.view.render("suppliers/index", page)
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, template, options: options, pickers: SupplierInput.pickers)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, SupplierInput.self, options: options) {
            _ = try await create($0, req: req)
            return SiteURL.suppliers.path
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [SupplierDTO] {
        try await list(req).map(SupplierDTO.init)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let s = try await create(try SupplierInput.decode(req), req: req)
        return try await SupplierDTO(s).encodeResponse(status: .created, for: req)
    }
}
