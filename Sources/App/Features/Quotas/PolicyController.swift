import BangfuKit
import Fluent
import Vapor

struct PolicyDTO: Content {
    let id: Int, jurisdiction: String, year: Int, name: String, startsOn: String, endsOn: String, preset: String?, rules: [Rule]
    /// The jurisdiction by name ("云阳县"), for pages; the API keeps the code beside it.
    var jurisdictionName: String?
    init(_ r: PolicyRecord, names: [String: String] = [:]) throws {
        id = r.id!; jurisdiction = r.jurisdictionCode; year = r.year; name = r.name; startsOn = r.startsOn; endsOn = r.endsOn
        preset = r.preset; rules = try r.policy.rules; jurisdictionName = names[r.jurisdictionCode]
    }
}

/// Policies as data: an office adopts a seed preset or writes its own rules for its region and a year.
enum PolicyController {
    struct AdoptInput: Content {
        var preset: String?; var year: Int?
        var name: String?; var startsOn: String?; var endsOn: String?; var rules: [Rule]?
    }

    static func adopt(_ input: AdoptInput, req: Request) async throws -> PolicyRecord {
        let jurisdiction = try PeriodController.jurisdiction(req, for: .managePolicies)
        guard jurisdiction.level <= .county else {
            throw APIError(status: .forbidden, code: "county_or_above", message: "考核政策由县级及以上管理部门制定", field: nil)
        }
        guard let year = input.year, (2000...2100).contains(year) else { throw FieldError.invalid("year", "年度") }
        var policy: Policy
        if let code = input.preset {
            guard let preset = PolicyPreset.named(code) else { throw FieldError.invalid("preset", "政策模板") }
            if let ends = preset.endsOn, year > ends.year {
                throw FieldError(field: "year", code: "outside_validity",
                                 message: "该政策模板的有效期至 \(ends)，不能用于 \(year) 年")
            }
            policy = preset.policy(jurisdiction: jurisdiction, year: year)
        } else {
            let rules = input.rules ?? []
            guard !rules.isEmpty else { throw FieldError.required("rules", "规则") }
            if let (i, problems) = rules.enumerated().map({ ($0.offset, $0.element.problems) }).first(where: { !$0.1.isEmpty }) {
                throw FieldError(field: "rules[\(i)]", code: "invalid", message: "第\(i + 1)条规则：\(problems.joined(separator: "；"))")
            }
            policy = Policy(name: try FormValue.text(input.name, "name", "政策名称", max: 100), jurisdiction: jurisdiction, year: year,
                            startsOn: try FormValue.date(input.startsOn, "startsOn", "开始日期"),
                            endsOn: try FormValue.date(input.endsOn, "endsOn", "结束日期"), rules: rules)
            guard policy.startsOn <= policy.endsOn else { throw FieldError.invalid("endsOn", "结束日期", "不能早于开始日期") }
        }
        if let start = input.startsOn.flatMap(LocalDate.init), input.preset != nil { policy.startsOn = start }
        try await refuseDouble(policy, preset: input.preset, on: req.db)
        let record = try PolicyRecord(policy, preset: input.preset)
        try await req.db.writeTransaction { db in
            try await record.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "policy", id: record.id, region: jurisdiction.digits, after: try PolicyDTO(record))
        }
        return record
    }

    /// One jurisdiction adopts a preset (or names a policy) once a year: a second would count every rule twice.
    static func refuseDouble(_ policy: Policy, preset: String?, on db: any Database) async throws {
        let same = PolicyRecord.query(on: db).filter(\.$jurisdictionCode == policy.jurisdiction.digits).filter(\.$year == policy.year)
        let found = try await (preset.map { same.filter(\.$preset == $0) } ?? same.filter(\.$name == policy.name)).first()
        guard let found else { return }
        throw APIError(status: .conflict, code: "duplicate", message: "\(policy.year)年已采用“\(found.name)”，不能重复采用",
            field: "preset")
    }

    static func list(_ req: Request) async throws -> [PolicyRecord] {
        var q = PolicyRecord.query(on: req.db).scoped(by: req.scope)
        if let y: Int = req.query["year"] { q = q.filter(\.$year == y) }
        return try await q.sort(\.$year, .descending).sort(\.$id).all()
    }

    struct PresetDTO: Content { let code: String; let name: String; let source: String; let endsOn: String?; let rules: [Rule] }

    @Sendable static func apiPresets(req: Request) async throws -> [PresetDTO] {
        PolicyPreset.all.map { PresetDTO(code: $0.code, name: $0.name, source: $0.source, endsOn: $0.endsOn?.description, rules: $0.rules) }
    }
    @Sendable static func apiIndex(req: Request) async throws -> [PolicyDTO] { try await list(req).map { try PolicyDTO($0) } }
    @Sendable static func apiCreate(req: Request) async throws -> Response {
        try await PolicyDTO(try await adopt(try req.content.decode(AdoptInput.self), req: req)).encodeResponse(status: .created, for: req)
    }

    struct Page: Encodable { let shell: Shell; let policies: [PolicyDTO]; let presets: [PresetDTO]; let canAdopt: Bool; let year: Int; let error: String? }

    static func page(_ req: Request, error: String? = nil) async throws -> Page {
        let records = try await list(req)
        let names = try await RegionNames.places(for: records.map(\.jurisdictionCode), on: req.db)
        return Page(shell: Shell(req), policies: try records.map { try PolicyDTO($0, names: names) },
            presets: try await apiPresets(req: req),
             canAdopt: req.scope(for: .managePolicies) != nil, year: req.today.year, error: error)
    }

    @Sendable static func index(req: Request) async throws -> View { try await req.view.render("quotas/policies", try await page(req)) }

    @Sendable static func submit(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        do {
            _ = try await adopt(AdoptInput(preset: f["preset"], year: f["year"].flatMap { Int($0) }, startsOn: f["startsOn"].flatMap { $0.isEmpty ? nil : $0 }), req: req)
            return req.redirect(to: SiteURL.policies.path)
        } catch let e as FieldError {
            return try await req.render("quotas/policies", try await page(req, error: e.message), status: .unprocessableEntity)
        } catch let e as APIError where e.status == .conflict {
            return try await req.render("quotas/policies", try await page(req, error: e.message), status: .conflict)
        }
    }
}

extension PolicyRecord: Scoped {
    /// Units and offices see the policies of their own region and of the places above it.
    static func restrict(_ q: QueryBuilder<PolicyRecord>, to scope: Scope) -> QueryBuilder<PolicyRecord>? {
        guard case .region(let r) = scope else { return nil }
        let above = RegionCode.Level.allCases.compactMap { r.ancestor(at: $0)?.digits } + [r.digits]
        return q.group(.or) { $0.filter(\.$jurisdictionCode =~ r.subtreePrefix).filter(\.$jurisdictionCode ~~ above) }
    }
}
