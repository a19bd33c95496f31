import BangfuKit
import Fluent
import SQLKit
import Vapor

struct LeadSystemDTO: Content {
    let id: Int, name: String, leadName: String, regionCode: String
    var regionName: String? = nil
    var units: [String]? = nil
    init(_ s: LeadSystem) { id = s.id!; name = s.name; leadName = s.leadName; regionCode = s.regionCode }
}

struct LeadSystemInput: FormInput {
    static let pickers: [String: Picker] = ["regionCode": .place]
    var name: String?
    var leadName: String?
    var regionCode: String?
    init(form f: [String: String]) {
        name = f.text("name")
        leadName = f.text("leadName")
        regionCode = f.text("regionCode")
    }
}

/// 牵头单位系统 (教育系统 led by 县教委): an office keeps its region's systems and which units belong to each,
/// so that 附件3 and lead units' scopes follow them. Nobody types a system number.
enum LeadSystemController {
    static func list(_ req: Request) async throws -> [LeadSystem] {
        let q = LeadSystem.query(on: req.db)
        switch req.scope {
        case .everything: break
        case .region(let r): q.filter(\.$regionCode =~ r.subtreePrefix)
        case .system(let id): q.filter(\.$id == id)
        default: return []
        }
        return try await q.sort(\.$name).all()
    }

    static func find(_ id: Int?, req: Request) async throws -> LeadSystem {
        guard let id, let s = try await list(req).first(where: { $0.id == id }) else {
            throw APIError.notFound("牵头单位系统")
        }
        return s
    }

    /// Creates a system, or renames one (`existing`); its place is a county or above in the office's region.
    static func save(_ input: LeadSystemInput, existing: LeadSystem? = nil, req: Request) async throws -> LeadSystem {
        let s = existing ?? LeadSystem()
        let before = existing.map(LeadSystemDTO.init)
        s.name = try FormValue.text(input.name, "name", "系统名称", max: 50)
        s.leadName = try FormValue.text(input.leadName, "leadName", "牵头单位", max: 50)
        if existing == nil || input.regionCode != nil {
            s.regionCode = try await Guard.region(input.regionCode, scope: req.scope, on: req.db).digits
        }
        let clash = try await LeadSystem.query(on: req.db).filter(\.$regionCode == s.regionCode)
            .filter(\.$name == s.name).all()
        guard clash.allSatisfy({ $0.id == s.id }) else { throw APIError.conflict("name", "本区划已有“\(s.name)”") }
        try await req.db.writeTransaction { db in
            try await s.save(on: db)
            try await Audit.record(req, on: db, action: existing == nil ? "create" : "update",
                                   entity: "lead_system", id: s.id,
                                   region: s.regionCode, before: before, after: LeadSystemDTO(s))
        }
        return s
    }

    /// Puts a unit of the office's region into a system (or takes it out, with nil): its 附件3 rows follow.
    static func assign(unit unitID: Int?, to systemID: Int?, req: Request) async throws -> BuyerUnit {
        guard let unitID, let unit = try await BuyerUnit.query(on: req.db).scoped(by: req.scope)
            .filter(\.$id == unitID).first() else {
            throw APIError.notFound("采购单位")
        }
        let before = BuyerDTO(unit)
        unit.$system.id = systemID == nil ? nil : try await find(systemID, req: req).id
        let system = unit.$system.id
        try await req.db.writeTransaction { db in
            try await unit.save(on: db)
            // What the unit bought and declared follows it, so lead units see and count their own system's units.
            let sql = db as! any SQLDatabase
            for table in ["purchases", "declarations", "needs", "unit_rollups", "purchase_rollups"] {
                try await sql.raw("""
                    UPDATE \(ident: table) SET buyer_system_id = \(bind: system) WHERE buyer_unit_id = \(bind: unitID)
                    """).run()
            }
            try await Audit.record(req, on: db, action: "assign_system", entity: "buyer_unit",
                                   id: unit.id, region: unit.regionCode,
                                   before: before, after: BuyerDTO(unit))
        }
        return unit
    }

    struct Page: Encodable {
        let shell: Shell; let systems: [LeadSystemDTO]; let units: [FormPage.Option]; let places: [String]
        var values: [String: String] = [:]; var errors: [String: String] = [:]
    }

    static func page(_ req: Request, values: [String: String] = [:],
                     errors: [String: String] = [:]) async throws -> Page {
        let systems = try await list(req)
        let members = try await BuyerUnit.query(on: req.db).filter(\.$system.$id ~~ systems.compactMap(\.id))
            .sort(\.$name).all()
        let names = try await RegionNames.places(for: systems.map(\.regionCode), on: req.db)
        let rows = systems.map { s -> LeadSystemDTO in
            var d = LeadSystemDTO(s)
            d.regionName = names[s.regionCode]
            d.units = members.filter { $0.$system.id == s.id }.map(\.name)
            return d
        }
        return Page(shell: Shell(req), systems: rows, units: try await Pickers.units(req),
                    places: try await Pickers.placeNames(req, anywhere: false), values: values, errors: errors)
    }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("systems/index", try await page(req))
    }

    /// The page's forms: a new system, a renamed one, a unit put into (or out of) a system.
    @Sendable static func submit(req: Request) async throws -> Response {
        let values = try LeadSystemInput.formValues(req)
        do {
            switch values["do"] {
            case "assign":
                _ = try await assign(unit: values.int("unitId"), to: values.int("systemId"), req: req)
            case "rename":
                let s = try await find(values.int("systemId"), req: req)
                _ = try await save(LeadSystemInput(form: values), existing: s, req: req)
            default:
                let coded = try await Pickers.codes(values, LeadSystemInput.pickers, req: req)
                _ = try await save(LeadSystemInput(form: coded), req: req)
            }
            return req.redirect(to: SiteURL.systems.path)
        } catch let e as FieldError {
            return try await req.render("systems/index",
                                        try await page(req, values: values, errors: [e.field: e.message]),
                                        status: .unprocessableEntity)
        } catch let e as APIError where e.status == .conflict || e.status == .notFound {
            return try await req.render("systems/index",
                                        try await page(req, values: values, errors: [e.field ?? "name": e.message]),
                                        status: e.status)
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [LeadSystemDTO] {
        try await list(req).map(LeadSystemDTO.init)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        try await LeadSystemDTO(try await save(try LeadSystemInput.decode(req), req: req))
            .encodeResponse(status: .created, for: req)
    }

    @Sendable static func apiUpdate(req: Request) async throws -> LeadSystemDTO {
        let s = try await find(req.parameters.get("id", as: Int.self), req: req)
        return LeadSystemDTO(try await save(try LeadSystemInput.decode(req), existing: s, req: req))
    }

    /// PUT a unit's system: `{"systemId": 3}`, or null to take it out.
    @Sendable static func apiAssign(req: Request) async throws -> BuyerDTO {
        struct Body: Content { var systemId: Int? }
        let body = try req.content.decode(Body.self)
        return BuyerDTO(try await assign(unit: req.parameters.get("id", as: Int.self), to: body.systemId, req: req))
    }
}
