import BangfuKit
import Fluent
import Vapor

struct UnitAliasDTO: Content {
    let id: Int, buyerUnitId: Int, alias: String
    init(_ a: UnitAlias) { id = a.id!; buyerUnitId = a.$buyerUnit.id; alias = a.alias }
}

/// Offices (and lead units, for their system) name the units as their sheets write them.
enum UnitAliasController {
    struct Input: Content { var alias: String? }

    static func add(_ alias: String?, unit unitID: Int?, req: Request) async throws -> UnitAlias {
        guard let scope = req.scope(for: .editBuyers) else { throw APIError.forbidden }
        guard let unitID, let unit = try await BuyerUnit.query(on: req.db).scoped(by: scope)
            .filter(\.$id == unitID).first() else {
            throw APIError.notFound("采购单位")
        }
        let name = try FormValue.text(alias, "alias", "别名", max: 100)
        let region = RegionCode(unit.regionCode)!
        let county = (region.ancestor(at: .county) ?? region).digits
        let taken = try await UnitAlias.query(on: req.db).filter(\.$countyCode == county).filter(\.$alias == name)
            .count() > 0
        let registered = try await BuyerUnit.query(on: req.db).filter(\.$name == name).filter(\.$id != unitID)
            .count() > 0
        guard !taken, !registered else { throw APIError.conflict("alias", "“\(name)”已是本县另一单位的名称或别名") }
        let a = UnitAlias()
        a.$buyerUnit.id = unitID; a.countyCode = county; a.alias = name
        try await req.db.writeTransaction { db in
            try await a.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "unit_alias",
                                   id: a.id, region: unit.regionCode,
                                   after: UnitAliasDTO(a))
        }
        return a
    }

    @Sendable static func apiIndex(req: Request) async throws -> [UnitAliasDTO] {
        let id = req.parameters.get("id", as: Int.self)
        guard let id, try await BuyerUnit.query(on: req.db).scoped(by: req.scope).filter(\.$id == id)
            .first() != nil else {
            throw APIError.notFound("采购单位")
        }
        return try await UnitAlias.query(on: req.db).filter(\.$buyerUnit.$id == id).sort(\.$alias).all()
            .map(UnitAliasDTO.init)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let input = try req.content.decode(Input.self)
        let a = try await add(input.alias, unit: req.parameters.get("id", as: Int.self), req: req)
        return try await UnitAliasDTO(a).encodeResponse(status: .created, for: req)
    }

    /// From an import report: the unknown name becomes the chosen unit's alias; back to the import page to run it
    /// again.
    @Sendable static func submitForm(req: Request) async throws -> Response {
        struct Fields: Decodable { let alias: String?; let unitId: String? }
        let f = try req.content.decode(Fields.self)
        _ = try await add(f.alias, unit: f.unitId.flatMap { Int($0) }, req: req)
        return req.redirect(to: SiteURL.purchaseImport.path + "?aliased=1")
    }
}
