import BangfuKit
import Fluent
import Vapor

struct ProductInput: FormInput {
    var name: String?
    var category: String?
    var unit: String?
    var seasonFrom: Int?
    var seasonTo: Int?
    /// Other names the catalogue and the ledger use for it (洋芋, 马铃薯).
    var aliases: [String]?

    init(form f: [String: String]) {
        name = f.text("name"); category = f.text("category"); unit = f.text("unit")
        seasonFrom = f.int("seasonFrom"); seasonTo = f.int("seasonTo")
        aliases = f["aliases"].map(Self.names)
    }

    /// "洋芋，马铃薯 土豆" as names: separated by commas, 、 or spaces.
    static func names(_ text: String) -> [String] {
        text.split { ",，、 ;；\n".contains($0) }.map { $0.trimmed }.filter { !$0.isEmpty }
    }
}

struct ProductDTO: Content {
    let id: Int, name: String, category: String, categoryName: String, unit: String, baseUnit: String
    /// Its other names as the edit form writes them ("马铃薯，洋芋").
    let aliases: String
    /// Whether the viewer's office may change it (its own jurisdiction's or below).
    var editable = false
    let seasonFrom: Int, seasonTo: Int, season: String, varieties: [String], jurisdictionCode: String

    init(_ p: MonitoredProduct) {
        id = p.id!; name = p.name; category = p.category
        categoryName = ProductCategory(rawValue: p.category)?.chineseName ?? p.category
        unit = p.unit; baseUnit = PriceQuote.baseUnit(of: p.unit); seasonFrom = p.seasonFrom; seasonTo = p.seasonTo
        season = p.season?.chineseName ?? ""; varieties = p.varieties; jurisdictionCode = p.jurisdictionCode
        aliases = p.varieties.dropFirst().joined(separator: "，")
    }
}

/// An office's 重点监测品种: kept for its jurisdiction; places below it read them, places above see them too.
enum MonitoredProducts {
    /// Products whose jurisdiction is the caller's region, above it, or below it.
    static func visible(_ req: Request, action: Action = .viewPrices) async throws -> [MonitoredProduct] {
        try await visible(to: req.scope(for: action) ?? req.scope, on: req.db)
    }

    /// The products of the scope's places and of the jurisdictions above them.
    static func visible(to scope: Scope, on db: any Database) async throws -> [MonitoredProduct] {
        let q = MonitoredProduct.query(on: db)
        switch scope {
        case .everything: break
        case .region(let r):
            let above = r.selfAndAncestors.map(\.digits)
            q.group(.or) { $0.filter(\.$jurisdictionCode ~~ above).filter(\.$jurisdictionCode =~ r.subtreePrefix) }
        default: q.filter(\.$id == -1)
        }
        return try await q.sort(\.$name).all()
    }

    static func find(_ id: Int?, _ req: Request, action: Action = .viewPrices) async throws -> MonitoredProduct {
        guard let id, let p = try await visible(req, action: action).first(where: { $0.id == id }) else {
            throw APIError.notFound("监测品种")
        }
        return p
    }

    /// Creates a product, or with `existing` changes it; the name and every alias, each once.
    static func save(_ input: ProductInput, existing: MonitoredProduct? = nil, req: Request) async throws
        -> MonitoredProduct {
        let j = try PeriodController.jurisdiction(req, for: .manageWarnings)
        let name = try FormValue.text(input.name, "name", "品种名称", max: 20)
        guard let category = input.category.flatMap(ProductCategory.init(codeOrName:)) else {
            throw FieldError.required("category", "产品类别")
        }
        let unit = try FormValue.text(input.unit, "unit", "计价单位", max: 6)
        guard Quantity.isUnit(unit) else { throw FieldError.invalid("unit", "计价单位", "如 斤、公斤、枚") }
        guard let from = input.seasonFrom, let to = input.seasonTo, Season(fromMonth: from, toMonth: to) != nil else {
            throw FieldError(field: "seasonFrom", code: "invalid", message: "上市期须为1–12月")
        }
        let aliases = (input.aliases ?? []).map { $0.trimmed }.filter { !$0.isEmpty && $0 != name }
        guard aliases.count <= 20, aliases.allSatisfy({ $0.count <= 20 && !$0.contains(",") }) else {
            throw FieldError(field: "aliases", code: "invalid", message: "别名至多20个，每个不超过20字")
        }
        let jurisdiction = existing?.jurisdictionCode ?? j.digits
        // A name or alias belongs to one product of a jurisdiction: its prices and sales are counted once.
        let others = try await MonitoredProduct.query(on: req.db).filter(\.$jurisdictionCode == jurisdiction).all()
            .filter { $0.id != existing?.id }
        if others.contains(where: { $0.varieties.contains(name) }) {
            throw APIError.conflict("name", "本辖区已有监测品种“\(name)”（或以它为别名）")
        }
        if let taken = aliases.first(where: { a in others.contains { $0.varieties.contains(a) } }) {
            throw APIError.conflict("aliases", "“\(taken)”已是本辖区另一监测品种的名称或别名")
        }
        let p = existing ?? MonitoredProduct()
        let before = existing.map(ProductDTO.init)
        p.jurisdictionCode = jurisdiction
        p.name = name; p.category = category.rawValue; p.unit = unit; p.seasonFrom = from; p.seasonTo = to
        var seen = Set<String>()
        p.varietiesText = ([name] + aliases).filter { seen.insert($0).inserted }.joined(separator: ",")
        try await req.db.writeTransaction { db in
            try await p.save(on: db)
            try await Audit.record(req, on: db, action: before == nil ? "create" : "update",
                                   entity: "monitored_product", id: p.id, region: p.jurisdictionCode, before: before,
                                       after: ProductDTO(p))
        }
        return p
    }

    @Sendable static func apiIndex(req: Request) async throws -> [ProductDTO] {
        try await visible(req).map(ProductDTO.init)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let p = try await save(try ProductInput.decode(req), req: req)
        return try await ProductDTO(p).encodeResponse(status: .created, for: req)
    }

    /// A product of the office's own jurisdiction or below (one set above it is read, not changed).
    static func own(_ req: Request) async throws -> MonitoredProduct {
        let p = try await find(req.parameters.get("id", as: Int.self), req, action: .manageWarnings)
        let j = try PeriodController.jurisdiction(req, for: .manageWarnings)
        guard RegionCode(p.jurisdictionCode).map(j.contains) ?? false else { throw APIError.forbidden }
        return p
    }

    @Sendable static func apiUpdate(req: Request) async throws -> ProductDTO {
        ProductDTO(try await save(try ProductInput.decode(req), existing: try await own(req), req: req))
    }

    /// The warnings page's form for one product (its aliases, unit, season).
    @Sendable static func submitEdit(req: Request) async throws -> Response {
        try await WarningPages.submit(req, section: "products") {
            _ = try await save(try ProductInput.decode(req), existing: try await own(req), req: req)
        }
    }

    /// The warnings page's form.
    @Sendable static func submit(req: Request) async throws -> Response {
        try await WarningPages.submit(req, section: "products") {
            _ = try await save(try ProductInput.decode(req), req: req)
        }
    }
}
