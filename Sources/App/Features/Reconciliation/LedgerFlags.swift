import BangfuKit
import Fluent
import SQLKit
import Vapor

/// A flag on the ledger (`Anomalies`), kept with the office's decision: a re-scan of the period keeps it.
final class LedgerFlag: Model, @unchecked Sendable {
    static let schema = "ledger_flags"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "rule") var rule: String
    @Field(key: "flag_key") var flagKey: String
    /// The region its rows share (their township where they have one): who may see it.
    @Field(key: "region_code") var regionCode: String
    @Field(key: "rows") var rows: String                 // comma-separated purchase ids
    @Field(key: "reason") var reason: String
    @Field(key: "status") var status: String             // open, accepted, corrected, rejected
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "decided_by") var decidedBy: String?

    init() {}
}

/// A jurisdiction's anomaly thresholds, as data (`Anomalies.Thresholds` as JSON); the nearest region's hold.
final class AnomalyThresholds: Model, @unchecked Sendable {
    static let schema = "anomaly_thresholds"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "thresholds") var json: String

    init() {}
}

struct FlagDTO: Content {
    let id: Int, rule: String, ruleName: String, rows: [Int], reason: String, status: String, note: String?
    let decidedBy: String?
    init(_ f: LedgerFlag) {
        id = f.id!; rule = f.rule; ruleName = Anomalies.Rule(rawValue: f.rule)?.chineseName ?? f.rule
        rows = f.rows.split(separator: ",").compactMap { Int($0) }; reason = f.reason; status = f.status; note = f.note
        decidedBy = f.decidedBy
    }
}

extension Anomalies.Thresholds: Content {}

enum LedgerFlags {
    struct ScanSummary: Codable {
        let from: String, to: String
        /// Flags the scan found, and of them those not seen before.
        let found: Int, created: Int
    }

    /// Scans the office's subtree for a period; new flags open, flags seen before keep their decision.
    static func scan(_ input: ReconciliationService.RunInput, caller: Caller, on db: any Database,
                     lease: LeaseCheck? = nil) async throws -> ScanSummary {
        let region = try caller.jurisdiction()
        let (from, to) = try ReconciliationService.period(input, today: caller.today)
        let scope = ReconciliationScope(prefix: region.subtreePrefix, from: from, to: to)
        let rows = try await FlagScan.rows(scope, on: db)
        let context = try await FlagScan.Context.read(rows, region: region, on: db)
        let uncertified = try await FlagScan.uncertified(scope, on: db)
        let flags = context.scan(rows, rules: Set(Anomalies.Rule.allCases)) + uncertified.flags
        let origins = Dictionary(rows.map { ($0.id, $0.origin_region_code) }, uniquingKeysWith: { a, _ in a })
            .merging(uncertified.origins, uniquingKeysWith: { a, _ in a })
        let created = try await db.writeTransaction { db in
            let created = try await FlagRecord.save(flags, origins: origins, jurisdiction: region,
                                                    period: "\(from)~\(to)", on: db)
            try await Audit.record(caller.origin, on: db, action: "scan", entity: "ledger_flags", id: nil,
                                   region: region.digits, after: ["found": String(flags.count), "new": String(created)])
            try await lease?(db)
            return created
        }
        return ScanSummary(from: from.description, to: to.description, found: flags.count, created: created)
    }

    /// The flags of the caller's places (of one rule, when `rule` names one): open ones first, newest first.
    static func list(_ req: Request, region: RegionCode? = nil) async throws -> [LedgerFlag] {
        let scope = req.scope(for: .viewReconciliation) ?? req.scope
        guard case .region(let r) = scope else { throw APIError.forbidden }
        var q = LedgerFlag.query(on: req.db).filter(\.$regionCode =~ (region ?? r).subtreePrefix)
        if let rule = try self.rule(req) { q = q.filter(\.$rule == rule.rawValue) }
        return try await q.sort(.sql(unsafeRaw: "CASE WHEN status = 'open' THEN 0 ELSE 1 END")).sort(\.$id, .descending)
            .limit(1_000).all()
    }

    static func rule(_ req: Request) throws -> Anomalies.Rule? {
        guard let text = req.query[String.self, at: "rule"], !text.isEmpty else { return nil }
        guard let rule = Anomalies.Rule(rawValue: text) else { throw FieldError.invalid("rule", "规则") }
        return rule
    }

    /// How many flags each rule holds in the caller's places, and how many are open: the page's filter.
    struct RuleCount: Content { let rule: String, name: String, open: Int, all: Int }

    static func counts(_ req: Request) async throws -> [RuleCount] {
        guard case .region(let r) = req.scope(for: .viewReconciliation) ?? req.scope else { return [] }
        struct C: Decodable { let rule: String; let open: Int; let total: Int }
        let rows = try await (req.db as! any SQLDatabase).raw("""
            SELECT rule, SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open, COUNT(*) AS total FROM ledger_flags
            WHERE region_code LIKE \(bind: r.subtreePrefix + "%") GROUP BY rule ORDER BY rule
            """).all(decoding: C.self)
        return rows.map {
            RuleCount(rule: $0.rule, name: Anomalies.Rule(rawValue: $0.rule)?.chineseName ?? $0.rule, open: $0.open,
                      all: $0.total)
        }
    }

    struct Decision: Content { var status: String?; var note: String? }

    /// Accepted with a note, marked corrected (the row itself corrected in the ledger), or its row rejected: the
    /// row a flag is about (a twin's later report, never the purchase it repeats), if it still stands, is reversed
    /// by a correction entry with the note as its reason, in the same transaction. A flag of many rows (a unit's or
    /// a seller's pattern) is settled row by row in the ledger. A flag never changes a total by itself.
    static func resolve(_ id: Int?, _ d: Decision, req: Request) async throws -> LedgerFlag {
        let region = try PeriodController.jurisdiction(req, for: .reconcile)
        guard let id, let f = try await LedgerFlag.query(on: req.db).filter(\.$id == id)
            .filter(\.$regionCode =~ region.subtreePrefix).first() else { throw APIError.notFound("异常标记") }
        guard let status = d.status, ["accepted", "corrected", "rejected"].contains(status) else {
            throw FieldError(field: "status", code: "invalid",
                             message: "处理结果须为“accepted”（接受）、“corrected”（已更正）或“rejected”（作废记录）")
        }
        guard f.status == "open" else {
            throw APIError(status: .conflict, code: "already_decided", message: "该标记已处理", field: "status")
        }
        let note = try FormValue.text(d.note, "note", "处理说明", max: 200)
        let row = f.flagKey.hasPrefix("row:") ? Int(f.flagKey.dropFirst(4)) : nil
        if status == "rejected", row == nil {
            throw APIError(status: .conflict, code: "many_rows",
                           message: "该标记涉及多条记录：请在台账中逐条冲正更正后标为已更正", field: "status")
        }
        var found: Purchase? = nil
        if status == "rejected", let row { found = try await reversal(of: row, in: region, reason: note, req: req) }
        let reversal = found
        f.note = note
        f.status = status
        f.decidedBy = req.currentUser?.signature
        try await req.db.writeTransaction { db in
            // Decided once: a second decision, or a correction since, finds the flag or the row settled.
            guard try await LedgerFlag.query(on: db).filter(\.$id == id).filter(\.$status == "open").count() == 1
            else {
                throw APIError(status: .conflict, code: "already_decided",
                    message: "该标记已处理", field: "status")
            }
            if let r = reversal, try await Purchase.query(on: db).filter(\.$reversesID == r.reversesID).count() == 0 {
                try await LedgerService.insert(r, action: "reverse", req: req, on: db)
            }
            try await f.save(on: db)
            try await Audit.record(req, on: db, action: "resolve", entity: "ledger_flag", id: f.id,
                                   region: f.jurisdictionCode, after: FlagDTO(f))
        }
        return f
    }

    /// The reversing entry for a row of the office's places that still stands (nil once it is reversed); a row in a
    /// closed month is reversed in an open one, as every correction is.
    static func reversal(of id: Int, in region: RegionCode, reason: String, req: Request) async throws -> Purchase? {
        guard let row = try await Purchase.query(on: req.db).filter(\.$id == id).filter(\.$reversesID == nil)
            .filter(\.$originRegionCode =~ region.subtreePrefix).first(),
            try await Purchase.query(on: req.db).filter(\.$reversesID == id).count() == 0 else { return nil }
        return try await LedgerService.reversing(row, reason: "台账异常作废：" + reason, req: req)
    }

    /// The flags of the caller's places after the scan; `?async=1` queues the scan as a job (202).
    @Sendable static func apiScan(req: Request) async throws -> Response {
        let input = try req.content.decode(ReconciliationService.RunInput.self)
        if req.query["async"] == "1" { return try await ReconciliationJobs.start(.flagScan, input, req: req) }
        let caller = Caller(req)
        _ = try await scan(input, caller: caller, on: req.db)
        return try await list(req, region: try caller.jurisdiction()).map(FlagDTO.init).encodeResponse(for: req)
    }

    @Sendable static func apiIndex(req: Request) async throws -> [FlagDTO] { try await list(req).map(FlagDTO.init) }

    @Sendable static func apiResolve(req: Request) async throws -> FlagDTO {
        FlagDTO(try await resolve(req.parameters.get("id", as: Int.self), try req.content.decode(Decision.self),
            req: req))
    }

    /// GET reads, PUT sets, the caller's jurisdiction's thresholds.
    @Sendable static func apiThresholds(req: Request) async throws -> Anomalies.Thresholds {
        let region = try PeriodController.jurisdiction(req, for: .viewReconciliation)
        guard req.method == .PUT else { return try await FlagScan.thresholds(for: region, on: req.db) }
        let t = try req.content.decode(Anomalies.Thresholds.self)
        guard t.priceScore > 0, t.priceScore <= 100, t.yearEndTimes > 1, t.yearEndTimes <= 100,
              (1...100_000_000).contains(t.limitYuan), (2...1_000).contains(t.justUnderRows),
              (1...10_000).contains(t.roundShareBP), (2...100_000).contains(t.roundMinimumRows),
              (0...100_000).contains(t.priceGapBP), t.supplyTimes > 1, t.supplyTimes <= 100,
              (1...100_000_000).contains(t.householdYuan) else {
            throw FieldError(field: "thresholds", code: "out_of_range", message: "阈值超出合理范围")
        }
        let row = try await AnomalyThresholds.query(on: req.db).filter(\.$jurisdictionCode == region.digits).first()
            ?? AnomalyThresholds()
        row.jurisdictionCode = region.digits
        row.json = String(decoding: try JSONEncoder().encode(t), as: UTF8.self)
        try await req.db.writeTransaction { db in
            try await row.save(on: db)
            try await Audit.record(req, on: db, action: "update", entity: "anomaly_thresholds", id: row.id,
                                   region: region.digits, after: t)
        }
        return t
    }
}

struct CreateLedgerFlags: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(LedgerFlag.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("rule", .string, .required)
            .field("flag_key", .string, .required)
            .field("rows", .string, .required)
            .field("reason", .string, .required)
            .field("status", .string, .required)
            .field("note", .string)
            .field("decided_by", .string)
            .unique(on: "jurisdiction_code", "rule", "flag_key")
            .create()
        try await db.schema(AnomalyThresholds.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("thresholds", .string, .required)
            .unique(on: "jurisdiction_code")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(AnomalyThresholds.schema).delete()
        try await db.schema(LedgerFlag.schema).delete()
    }
}
