import BangfuKit
import Fluent
import Vapor

enum BuyerController {
    static let template = "buyers/new"
    static var options: [String: [FormPage.Option]] { ["kind": BuyerKind.options, "helpLevel": HelpLevel.options] }

    static func list(_ req: Request) async throws -> [BuyerUnit] {
        try await BuyerUnit.query(on: req.db).scoped(by: req.scope).sort(\.$regionCode).sort(\.$name).all()
    }

    /// A lead unit adds units to its own system; an office adds units inside its region.
    static func create(_ input: BuyerInput, req: Request) async throws -> BuyerUnit {
        let b = BuyerUnit()
        b.name = try FormValue.text(input.name, "name", "单位名称")
        b.kind = (try FormValue.choice(input.kind, "kind", "单位类型") as BuyerKind).rawValue
        let regionScope: Scope = if case .system = req.scope { .everything } else { req.scope }
        b.regionCode = try await Guard.region(input.regionCode, scope: regionScope, on: req.db).digits
        b.creditCode = try FormValue.creditCode(input.creditCode)?.value
        b.isBudgetUnit = input.isBudgetUnit ?? false
        b.hasCanteen = input.hasCanteen ?? false
        b.hasFiveIntoDuty = input.hasFiveIntoDuty ?? false
        if let level = input.helpLevel { b.helpLevel = (try FormValue.choice(level, "helpLevel", "帮扶单位级别") as HelpLevel).rawValue }
        if case .system(let own) = req.scope {
            guard input.systemId == nil || input.systemId == own else {
                throw FieldError(field: "systemId", code: "out_of_scope", message: "只能在本系统内登记单位")
            }
            b.$system.id = own
        } else if let sid = input.systemId {
            guard try await LeadSystem.find(sid, on: req.db) != nil else { throw FieldError.invalid("systemId", "所属系统") }
            b.$system.id = sid
        }
        if let code = b.creditCode, try await BuyerUnit.query(on: req.db).filter(\.$creditCode == code).count() > 0 {
            throw APIError.conflict("creditCode", "统一社会信用代码 \(code) 已登记")
        }
        try await req.db.writeTransaction { db in
            try await b.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "buyer_unit", id: b.id, region: b.regionCode,
                                   after: BuyerDTO(b))
        }
        return b
    }

    @Sendable static func index(req: Request) async throws -> View {
        var rows = try await list(req).map(BuyerDTO.init)
        let names = try await RegionNames.places(for: rows.map(\.regionCode), on: req.db)
        for i in rows.indices { rows[i].regionName = names[rows[i].regionCode] }
        let page = ListPage(shell: Shell(req), rows: rows, canCreate: req.scope(for: .editBuyers) != nil)
        return try await req.view.render("buyers/index", page)
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, template, options: options, pickers: BuyerInput.pickers)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, BuyerInput.self, options: options) {
            _ = try await create($0, req: req)
            return SiteURL.buyers.path
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [BuyerDTO] { try await list(req).map(BuyerDTO.init) }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let b = try await create(try BuyerInput.decode(req), req: req)
        return try await BuyerDTO(b).encodeResponse(status: .created, for: req)
    }
}
