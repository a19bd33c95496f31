import BangfuKit
import Fluent
import Vapor

/// What a form field picks from, so that nobody types a code or an internal id: places by name (a searchable
/// list of "县乡镇村" names), units, systems, suppliers and households from select lists of those in scope.
/// The API keeps codes and ids; a page's field of kind `place` is turned from a name into its code here,
/// before the command sees it, with a clear error when the name names no place.
enum Picker: Sendable {
    /// A place in the caller's region (or anywhere, for a caller without one): name ↔ 12-digit code.
    case place
    /// A place anywhere (the other side of a 县际结对).
    case anyPlace
    case buyerUnit, leadSystem, supplier, household, offer
    /// A township of the caller's region, by name (a 附件2's township).
    case township
}

enum Pickers {
    /// Places a list offers at most; a larger region's list names its counties and townships only.
    static let placeLimit = 5_000

    /// The select lists (field → options) and the place names a page's pickers need.
    static func choices(_ pickers: [String: Picker], req: Request) async throws
        -> (options: [String: [FormPage.Option]], places: [String]) {
        var options: [String: [FormPage.Option]] = [:], places: [String] = []
        for (field, picker) in pickers {
            switch picker {
            case .place, .anyPlace:
                if places.isEmpty { places = try await placeNames(req, anywhere: picker == .anyPlace) }
            case .buyerUnit: options[field] = try await units(req)
            case .leadSystem: options[field] = try await LeadSystem.query(on: req.db).sort(\.$name).all()
                .map { .init(value: String($0.id!), label: $0.name) }
            case .supplier: options[field] = try await Supplier.query(on: req.db).scoped(by: req.scope)
                .sort(\.$name).all()
                .map { .init(value: String($0.id!), label: $0.name) }
            case .household: options[field] = try await households(req)
            case .township: options[field] = try await townships(req)
            case .offer: options[field] = try await Offer.query(on: req.db).scoped(by: req.scope).sort(\.$variety)
                .limit(2_000).all()
                .map { .init(value: String($0.id!), label: "\($0.variety)（\($0.sellerMasked)）") }
            }
        }
        return (options, places)
    }

    static func units(_ req: Request) async throws -> [FormPage.Option] {
        let scope = req.scope(for: .viewBuyers) ?? req.scope
        return try await BuyerUnit.query(on: req.db).scoped(by: scope).sort(\.$name).all()
            .map { .init(value: String($0.id!), label: $0.name) }
    }

    static func townships(_ req: Request) async throws -> [FormPage.Option] {
        var q = Region.query(on: req.db).filter(\.$level == RegionCode.Level.township.rawValue)
        if case .region(let r) = req.scope { q = q.filter(\.$id =~ r.subtreePrefix) }
        let codes = try await q.sort(\.$id).limit(placeLimit).all().compactMap(\.id)
        let names = try await RegionNames.places(for: codes, on: req.db)
        return codes.map { .init(value: $0, label: names[$0] ?? $0) }
    }

    static func households(_ req: Request) async throws -> [FormPage.Option] {
        guard let scope = req.scope(for: .viewHouseholds) else { return [] }
        let rows = try await Household.query(on: req.db).scoped(by: scope).sort(\.$regionCode).limit(5_000).all()
        let places = try await RegionNames.places(for: rows.map(\.regionCode), on: req.db)
        return rows.map { .init(value: String($0.id!), label: "\($0.nameMasked)（\(places[$0.regionCode] ?? "")）") }
    }

    /// The names of the places under the caller's region ("云阳县龙角镇示例村"), villages included while the list
    /// stays under `placeLimit`.
    static func placeNames(_ req: Request, anywhere: Bool) async throws -> [String] {
        var q = Region.query(on: req.db).filter(\.$level >= RegionCode.Level.county.rawValue)
        if !anywhere, case .region(let r) = req.scope { q = q.filter(\.$id =~ r.subtreePrefix) }
        if try await q.copy().count() > placeLimit { q = q.filter(\.$level < RegionCode.Level.village.rawValue) }
        let codes = try await q.sort(\.$id).limit(placeLimit).all().compactMap(\.id)
        let names = try await RegionNames.places(for: codes, on: req.db)
        return codes.compactMap { names[$0] }
    }

    /// A page's place fields, from the names people pick to the codes commands take (codes pass unchanged).
    static func codes(_ values: [String: String], _ pickers: [String: Picker],
                      req: Request) async throws -> [String: String] {
        let named = pickers.filter { ($0.value == .place || $0.value == .anyPlace) && !(values[$0.key] ?? "").isEmpty }
            .keys.filter { RegionCode(values[$0]!.trimmed) == nil }
        guard !named.isEmpty else { return values }
        let resolver = try await RegionResolver.load(scope: .everything, on: req.db, coarsest: .county)
        var out = values
        for field in named {
            let name = values[field]!.trimmed
            guard let code = resolver.resolve(name) else {
                throw FieldError(field: field, code: "unknown_place", message: "找不到地名“\(name)”，请从列表中选择")
            }
            out[field] = code.digits
        }
        return out
    }

    /// Codes shown as the names a place picker holds (an edit form's stored values).
    static func names(_ values: [String: String], _ pickers: [String: Picker],
                      on db: any Database) async throws -> [String: String] {
        let fields = pickers.filter { $0.value == .place || $0.value == .anyPlace }.keys
            .filter { RegionCode(values[$0] ?? "") != nil }
        let names = try await RegionNames.places(for: fields.compactMap { values[$0] }, on: db)
        var out = values
        for f in fields { out[f] = names[values[f]!] ?? values[f] }
        return out
    }
}
