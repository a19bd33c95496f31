import BangfuKit
import Fluent
import Foundation
import Vapor

struct PresetDTO: Content { let code: String, name: String, rules: WarningRules }

extension WarningRules: Content {}

/// A jurisdiction's warning rules: read as the nearest jurisdiction's (or the defaults), set by an office for its
/// own; presets from published practice to start from.
enum WarningRulesController {
    static func rules(for region: RegionCode, on db: any Database) async throws -> WarningRules {
        let codes = region.selfAndAncestors.map(\.digits)
        let rows = try await WarningRulesRecord.query(on: db).filter(\.$jurisdictionCode ~~ codes).all()
        return region.nearest(rows, \.jurisdictionCode)?.rules ?? WarningRules()
    }

    /// The caller's region's rules; the defaults for one who sees everything (the administrator).
    static func rules(for req: Request) async throws -> WarningRules {
        guard case .region(let r) = req.scope(for: .viewPrices) else { return WarningRules() }
        return try await rules(for: r, on: req.db)
    }

    static func save(_ rules: WarningRules, req: Request) async throws -> WarningRules {
        let j = try PeriodController.jurisdiction(req, for: .manageWarnings)
        if let e = rules.validated() { throw e }
        let row = try await WarningRulesRecord.query(on: req.db).filter(\.$jurisdictionCode == j.digits).first()
            ?? WarningRulesRecord()
        let before = row.id == nil ? nil : row.rules
        row.jurisdictionCode = j.digits
        row.json = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        try await req.db.writeTransaction { db in
            try await row.save(on: db)
            try await Audit.record(req, on: db, action: "update", entity: "warning_rules", id: row.id, region: j.digits,
                                   before: before, after: rules)
        }
        return rules
    }

    @Sendable static func api(req: Request) async throws -> WarningRules {
        guard req.method == .PUT else { return try await rules(for: req) }
        return try await save(try req.content.decode(WarningRules.self), req: req)
    }

    @Sendable static func presets(req: Request) async throws -> [PresetDTO] {
        WarningRules.presets.map { PresetDTO(code: $0.code, name: $0.name, rules: $0.rules) }
    }

    /// The page's form: a preset as it is, or the thresholds people change most (percent and weeks) and the scheme.
    @Sendable static func submit(req: Request) async throws -> Response {
        try await WarningPages.submit(req, section: "rules") {
            let f = try ProductInput.formValues(req)
            if let preset = WarningRules.presets.first(where: { $0.code == f["preset"] }) {
                _ = try await save(preset.rules, req: req)
                return
            }
            var r = try await rules(for: try PeriodController.jurisdiction(req, for: .manageWarnings), on: req.db)
            guard let percent = f["dropPercent"].flatMap({ Int($0.trimmed) }), (1...90).contains(percent) else {
                throw FieldError(field: "dropPercent", code: "out_of_range",
                    message: "低于基准的幅度须为1–90的整数")
            }
            guard let weeks = f["weeksInRow"].flatMap({ Int($0.trimmed) }), (1...12).contains(weeks) else {
                throw FieldError(field: "weeksInRow", code: "out_of_range",
                    message: "连续周数须为1–12的整数")
            }
            r.dropBP = percent * 100
            r.weeksInRow = weeks
            if let scheme = f["scheme"].flatMap(LevelScheme.init(rawValue:)) { r.scheme = scheme }
            _ = try await save(r, req: req)
        }
    }
}
