import BangfuKit
import Fluent
import Vapor

struct ProgressDTO: Content {
    let policyId: Int, policyName: String
    let ruleCode: String, ruleName: String, subject: String, unitId: Int?, region: String
    let target: String?, actual: String, expected: String?, projected: String?, targetFen: Int64?, actualFen: Int64
    /// What 序时进度 asks by now, in 分.
    let expectedFen: Int64?
    let pacePercent: String, completionPercent: String, completionBP: Int, width: Int, state: String, stateName: String, finding: String?
    /// Where 序时进度 falls on the bar (0–100): what should be done by now.
    let paceWidth: Int
    let rowsURL: String?
    let parts: [ProgressDTO]

    init(_ p: RuleProgress, policy: PolicyRecord, names: [Int: String], places: [String: String] = [:]) {
        policyId = policy.id!; policyName = policy.name; ruleCode = p.ruleCode; ruleName = p.ruleName
        unitId = p.subject.unitID; region = p.subject.region; subject = p.subject.unitID.flatMap { names[$0] } ?? places[p.subject.region] ?? p.subject.name
        targetFen = p.targetFen; actualFen = p.actualFen; expectedFen = p.expectedFen
        target = p.targetFen.map { Fen($0).wanText }; actual = Fen(p.actualFen).wanText
        expected = p.expectedFen.map { Fen($0).wanText }; projected = p.projectedFen.map { Fen($0).wanText }
        pacePercent = Self.percent(p.paceBP)
        completionBP = p.completionBP
        width = p.completionBP / 100
        completionPercent = p.targetFen == nil ? "—" : Self.percent(p.completionBP)
        paceWidth = p.targetFen == nil ? 0 : min(100, max(0, p.paceBP / 100))
        state = p.state.rawValue; stateName = p.state.chineseName; finding = p.finding
        rowsURL = p.drillDown.map(Self.rowsURL)
        parts = p.parts.map { ProgressDTO($0, policy: policy, names: names, places: places) }
    }

    static func percent(_ bp: Int) -> String { String(format: "%.1f%%", Double(bp) / 100) }

    /// The ledger rows behind a figure: the purchases list with the same filters, counted rows only.
    static func rowsURL(_ d: DrillDown) -> String {
        var q = ["counted=1", "from=\(d.fromMonth)", "to=\(d.toMonth)"]
        if let u = d.unitID { q.append("unit=\(u)") }
        if let b = d.buyerRegion { q.append("buyerRegion=\(b)") }
        if let o = d.originPrefixes { q.append("origin=\(o.joined(separator: ","))") }
        if let c = d.channels { q.append("channel=\(c.joined(separator: ","))") }
        if let c = d.excludedChannels { q.append("notChannel=\(c.joined(separator: ","))") }
        if let p = d.purposes { q.append("purpose=\(p.joined(separator: ","))") }
        if d.deepPovertyOnly { q.append("deep=1") }
        return SiteURL.purchases.path + "?" + q.joined(separator: "&")
    }
}

/// Actual against target for every rule that binds what the caller may see, with 序时进度 and a projection.
enum ProgressController {
    static func asOf(_ req: Request, year: Int) -> LocalDate {
        if let t: String = req.query["asOf"], let d = LocalDate(t) { return d }
        return year < req.today.year ? LocalDate(year: year, month: 12, day: 31) : req.today
    }

    /// The region whose policies apply to the caller, the units it may see (nil: every unit of its region),
    /// and which progress lines it may see.
    static func anchor(_ req: Request, scope: Scope) async throws -> (region: RegionCode?, units: Set<Int>?, visible: (RuleProgress) -> Bool) {
        switch scope {
        case .everything: return (nil, nil, { _ in true })
        case .region(let r): return (r, nil, { RegionCode($0.subject.region).map(r.contains) ?? false || $0.subject.region == r.digits })
        case .buyerUnit(let id):
            let u = try await BuyerUnit.find(id, on: req.db)
            return (u.flatMap { RegionCode($0.regionCode) }, [id], { $0.subject.unitID == id })
        case .system(let id):
            let units = Set(try await BuyerUnit.query(on: req.db).filter(\.$system.$id == id).all().compactMap(\.id))
            let region = try await LeadSystem.find(id, on: req.db).flatMap { RegionCode($0.regionCode) }
            return (region, units, { $0.subject.unitID.map(units.contains) ?? false })
        default: return (nil, [], { _ in false })
        }
    }

    /// `rules` narrows what is measured: the home page of an office shows its jurisdiction's own targets only.
    static func progress(_ req: Request, scope: Scope? = nil, rules: (Rule) -> Bool = { _ in true }) async throws -> [ProgressDTO] {
        let scope = scope ?? req.scope
        let year = req.query["year"] ?? req.today.year
        let (region, units, visible) = try await anchor(req, scope: scope)
        var policies: [PolicyRecord]
        if let region {
            policies = try await QuotaFacts.policies(covering: region, year: year, on: req.db)
            if case .region = scope {
                policies += try await PolicyRecord.query(on: req.db).filter(\.$year == year).filter(\.$jurisdictionCode =~ region.subtreePrefix)
                    .filter(\.$jurisdictionCode != region.digits).all()
            }
        } else {
            policies = try await PolicyRecord.query(on: req.db).filter(\.$year == year).all()
        }
        var out: [ProgressDTO] = []
        let day = asOf(req, year: year)
        for record in policies {
            var policy = try record.policy
            policy.rules = policy.rules.filter(rules)
            let facts = try await QuotaFacts.load(policy, asOf: day, only: units, on: req.db)
            let names = Dictionary(uniqueKeysWithValues: facts.units.map { ($0.id, $0.name) })
            // An office sees every line of its own jurisdiction's policies, units above it that they bind included.
            let own = if case .region(let r) = scope, let j = RegionCode(record.jurisdictionCode) {
                r.contains(j)
            } else {
                false
            }
            let lines = RuleEngine(policy: policy, facts: facts, asOf: day).evaluate().filter { own || visible($0) }
            let places = try await RegionNames.places(for: Array(Set(lines.filter { $0.subject.unitID == nil }.map(\.subject.region))), on: req.db)
            out += lines.map { ProgressDTO($0, policy: record, names: names, places: places) }
        }
        return out
    }

    @Sendable static func apiIndex(req: Request) async throws -> [ProgressDTO] { try await progress(req) }

    struct Page: Encodable {
        let shell: Shell; let year: Int; let asOf: String; let pace: String; let rows: [ProgressDTO]
        let declarations: [DeclarationDTO]; let kinds: [FormPage.Option]; let units: [FormPage.Option]; let canDeclare: Bool
        var importErrors: [RowError] = []
        /// The declaration form as typed, and its error beside the field, when it was refused.
        var values: [String: String] = [:]
        var errors: [String: String] = [:]
    }

    @Sendable static func index(req: Request) async throws -> View { try await page(req) }

    static func page(_ req: Request, importErrors: [RowError] = [], values: [String: String] = [:],
                     errors: [String: String] = [:]) async throws -> View {
        let year = req.query["year"] ?? req.today.year
        let day = asOf(req, year: year)
        let units = try await BuyerUnit.query(on: req.db).scoped(by: req.scope(for: .declareBases) ?? .ownAccount).sort(\.$name).all()
        return try await req.view.render("quotas/progress", Page(
            shell: Shell(req), year: year, asOf: day.description,
            pace: ProgressDTO.percent(Pace.basisPoints(window: LocalDate(year: year, month: 1, day: 1)...LocalDate(year: year, month: 12, day: 31), asOf: day)),
            rows: try await progress(req), declarations: try await DeclarationController.list(req),
            kinds: DeclarationKind.options, units: units.map { .init(value: String($0.id!), label: $0.name) },
            canDeclare: req.scope(for: .declareBases) != nil, importErrors: importErrors, values: values,
            errors: errors))
    }
}
