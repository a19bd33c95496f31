import BangfuKit
import Fluent
import Vapor

/// A cooperative's 脱贫户 (利益联结) and the weight each takes of its sales in the attribution to households
/// (`Attribution.split`). A township or county office links and unlinks households; the cooperative itself declares
/// the weights of those linked.
enum SupplierHouseholds {
    struct Linked: Content {
        let householdId: Int, name: String, village: String, weight: Int
    }

    struct Entry: Content { var householdId: Int?; var weight: Int? }
    struct Declaration: Content { var households: [Entry]? }

    struct Page: Encodable {
        let shell: Shell, supplier: SupplierDTO, rows: [Linked], candidates: [Linked], canLink: Bool
        var error: String?
    }

    static func supplier(_ req: Request) async throws -> Supplier {
        guard let id = req.parameters.get("id", as: Int.self),
              let scope = req.scope(for: .declareHouseholds),
              let s = try await Supplier.query(on: req.db).scoped(by: scope).filter(\.$id == id).first()
        else { throw APIError.notFound("供给主体") }
        return s
    }

    static func linked(_ s: Supplier, on db: any Database) async throws -> [Linked] {
        let links = try await SupplierHousehold.query(on: db).filter(\.$supplier.$id == s.id!).all()
        let weights = Dictionary(links.map { ($0.$household.id, $0.weight) }, uniquingKeysWith: { a, _ in a })
        return try await lines(Household.query(on: db).filter(\.$id ~~ Array(weights.keys)).all(), weights, on: db)
    }

    static func lines(_ hs: [Household], _ weights: [Int: Int], on db: any Database) async throws -> [Linked] {
        let names = try await RegionNames.places(for: hs.map(\.regionCode), on: db)
        return hs.map {
            Linked(householdId: $0.id!, name: $0.nameMasked, village: names[$0.regionCode] ?? $0.regionCode,
                   weight: weights[$0.id!] ?? 1)
        }.sorted { ($0.village, $0.householdId) < ($1.village, $1.householdId) }
    }

    /// Replaces the linked set with `d`: weights 1–1000, each household once and of the supplier's county; the
    /// supplier itself may change weights only (linking is an office's act).
    static func declare(_ d: Declaration, for s: Supplier, req: Request) async throws -> [Linked] {
        let entries = d.households ?? []
        var declared: [Int: Int] = [:]
        for (i, e) in entries.enumerated() {
            guard let id = e.householdId, declared[id] == nil else {
                throw FieldError(field: "households[\(i)].householdId", code: "invalid",
                                 message: "第\(i + 1)户重复或未选择")
            }
            guard let w = e.weight, (1...1_000).contains(w) else {
                throw FieldError(field: "households[\(i)].weight", code: "out_of_range",
                                 message: "第\(i + 1)户的分配权重须为1–1000的整数")
            }
            declared[id] = w
        }
        let weights = declared
        let before = try await SupplierHousehold.query(on: req.db).filter(\.$supplier.$id == s.id!).all()
        let kept = Set(before.map(\.$household.id))
        if case .supplier = req.scope(for: .declareHouseholds), Set(weights.keys) != kept {
            throw APIError(status: .forbidden, code: "link_by_office",
                           message: "关联或解除脱贫户须由乡镇或县级部门办理；合作社只申报分配权重", field: "households")
        }
        let county = String(s.regionCode.prefix(6))
        // An office links households of its own places; a cooperative keeps the ones it has.
        let scope = req.scope(for: .editSuppliers) ?? .everything
        let found = try await Household.query(on: req.db).scoped(by: scope).filter(\.$id ~~ Array(weights.keys))
            .filter(\.$regionCode =~ county).all()
        guard found.count == weights.count else {
            throw FieldError(field: "households", code: "unknown_household", message: "有脱贫户不在本主体所在县")
        }
        try await req.db.writeTransaction { db in
            for link in before where weights[link.$household.id] == nil { try await link.delete(on: db) }
            for link in before { link.weight = weights[link.$household.id] ?? link.weight }
            for link in before where weights[link.$household.id] != nil { try await link.save(on: db) }
            for (id, w) in weights where !kept.contains(id) {
                let link = SupplierHousehold()
                link.$supplier.id = s.id!
                link.$household.id = id
                link.weight = w
                try await link.create(on: db)
            }
            try await Audit.record(req, on: db, action: "declare_households", entity: "supplier", id: s.id,
                                   region: s.regionCode, after: weights.mapKeys(String.init))
        }
        return try await linked(s, on: req.db)
    }

    @Sendable static func apiShow(req: Request) async throws -> [Linked] {
        try await linked(try await supplier(req), on: req.db)
    }

    @Sendable static func apiDeclare(req: Request) async throws -> [Linked] {
        try await declare(try req.content.decode(Declaration.self), for: try await supplier(req), req: req)
    }

    @Sendable static func page(req: Request) async throws -> View {
        try await render(req, try await supplier(req))
    }

    static func render(_ req: Request, _ s: Supplier, error: String? = nil) async throws -> View {
        let rows = try await linked(s, on: req.db)
        let canLink = req.scope(for: .editSuppliers) != nil
        let taken = Set(rows.map(\.householdId))
        let nearby = canLink ? try await Household.query(on: req.db).scoped(by: req.scope)
            .filter(\.$regionCode =~ String(s.regionCode.prefix(9))).limit(500).all()
            .filter { !taken.contains($0.id!) } : []
        let page = Page(shell: Shell(req), supplier: SupplierDTO(s), rows: rows,
                        candidates: try await lines(nearby, [:], on: req.db), canLink: canLink, error: error)
        return try await req.view.render("suppliers/households", page)
    }

    /// The form: a weight per linked household, "remove" ticks and one household to add (offices only).
    @Sendable static func submit(req: Request) async throws -> Response {
        let s = try await supplier(req)
        let f = try NeedInput.formValues(req)
        var entries = try await linked(s, on: req.db).compactMap { l -> Entry? in
            f["remove-\(l.householdId)"] == "1" ? nil : Entry(householdId: l.householdId,
                                                               weight: Int(f["weight-\(l.householdId)"] ?? ""))
        }
        if let add = f["add"].flatMap(Int.init) {
            entries.append(Entry(householdId: add, weight: Int(f["addWeight"] ?? "1")))
        }
        do {
            _ = try await declare(Declaration(households: entries), for: s, req: req)
        } catch let e as FieldError {
            return try await render(req, s, error: e.message).encodeResponse(status: .unprocessableEntity, for: req)
        } catch let e as APIError where e.status != .notFound {
            return try await render(req, s, error: e.message).encodeResponse(status: e.status, for: req)
        }
        return req.redirect(to: "/suppliers/\(s.id!)/households")
    }
}

extension Dictionary {
    func mapKeys<K: Hashable>(_ f: (Key) -> K) -> [K: Value] {
        Dictionary<K, Value>(uniqueKeysWithValues: map { (f($0.key), $0.value) })
    }
}
