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
    @Field(key: "rows") var rows: String                 // comma-separated purchase ids
    @Field(key: "reason") var reason: String
    @Field(key: "status") var status: String             // open, accepted, corrected
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
    struct Row: Decodable {
        let id: Int, buyer_unit_id: Int, seller_key: String, month: String, variety: String, quantity_unit: String
        let amount_fen: Int64, quantity_thousandths: Int64, suspected_duplicate_of: Int?, origin_region_code: String
    }

    static func thresholds(for region: RegionCode, on db: any Database) async throws -> Anomalies.Thresholds {
        let rows = try await AnomalyThresholds.query(on: db)
            .filter(\.$jurisdictionCode ~~ region.selfAndAncestors.map(\.digits)).all()
        return region.nearest(rows, \.jurisdictionCode).flatMap { try? JSONDecoder().decode(Anomalies.Thresholds.self,
            from: Data($0.json.utf8)) }
            ?? Anomalies.Thresholds()
    }

    /// Scans the office's subtree for a period; new flags open, flags seen before keep their decision.
    static func scan(_ input: ReconciliationService.RunInput, req: Request) async throws -> [LedgerFlag] {
        let region = try PeriodController.jurisdiction(req, for: .reconcile)
        let (from, to) = try ReconciliationService.period(input, today: req.today)
        let rows = try await (req.db as! any SQLDatabase).raw("""
            SELECT id, buyer_unit_id, seller_key, substr(purchased_on, 1, 7) AS month, variety, quantity_unit,
                amount_fen,
                quantity_thousandths, suspected_duplicate_of, origin_region_code
            FROM purchases
            WHERE origin_region_code LIKE \(bind: region.subtreePrefix + "%") AND purchased_on >=
                \(bind: from.description)
                AND purchased_on <= \(bind: to.description) AND reverses_id IS NULL AND duplicate_of IS NULL
                AND state <> 'rejected'
            """).all(decoding: Row.self)
        let helped = try await NeedRematch.helpedPlaces(units: Set(rows.map(\.buyer_unit_id)), on: req.db)
        let flags = Anomalies.scan(rows.map { r in
            Anomalies.Row(id: r.id, buyer: r.buyer_unit_id, seller: r.seller_key, month: r.month, variety: r.variety,
                          unit: r.quantity_unit, amount: Fen(r.amount_fen), quantityThousandths: r.quantity_thousandths,
                          twinOf: r.suspected_duplicate_of,
                          helped: RegionCode(r.origin_region_code)
                              .map { o in (helped[r.buyer_unit_id] ?? []).contains { $0.contains(o) } } ?? false)
        }, try await thresholds(for: region, on: req.db)) + (try await uncertified(region, from: from, to: to, on: req
            .db))
        let known = try await LedgerFlag.query(on: req.db).filter(\.$jurisdictionCode == region.digits).all()
        let byKey = Dictionary(known.map { ("\($0.rule)|\($0.flagKey)", $0) }, uniquingKeysWith: { a, _ in a })
        // A row's flag is the row's; a unit's or a pair's is the period's, so a later period's pattern is new.
        let key = { (f: Anomalies.Flag) in f.key.hasPrefix("row:") ? f.key : "\(from)~\(to)|\(f.key)" }
        let fresh = flags.filter { byKey["\($0.rule.rawValue)|\(key($0))"] == nil }.map { f -> LedgerFlag in
            let l = LedgerFlag()
            l.jurisdictionCode = region.digits; l.rule = f.rule.rawValue; l.flagKey = key(f)
            l.rows = f.rows.map(String.init).joined(separator: ","); l.reason = f.reason; l.status = "open"
            return l
        }
        try await req.db.writeTransaction { db in
            for f in fresh { try await f.create(on: db) }
            try await Audit.record(req, on: db, action: "scan", entity: "ledger_flags", id: nil, region: region.digits,
                                   after: ["found": String(flags.count), "new": String(fresh.count)])
        }
        return try await list(req, region: region)
    }

    /// Rows of a product no certification covered on their date: no offer of the variety in the row's place held a
    /// 帮扶产品 certification valid that day.
    static func uncertified(_ region: RegionCode, from: LocalDate, to: LocalDate,
                            on db: any Database) async throws -> [Anomalies.Flag] {
        struct Hit: Decodable { let id: Int; let variety: String; let purchased_on: String }
        return try await (db as! any SQLDatabase).raw("""
            SELECT p.id, p.variety, p.purchased_on FROM purchases p
            WHERE p.origin_region_code LIKE \(bind: region.subtreePrefix + "%") AND p.purchased_on >=
                \(bind: from.description)
                AND p.purchased_on <= \(bind: to.description) AND p.reverses_id IS NULL AND p.duplicate_of IS NULL
                AND p.state <> 'rejected' AND NOT EXISTS (
                    SELECT 1 FROM offers o JOIN product_applications a ON a.offer_id = o.id
                    WHERE o.region_code = p.origin_region_code AND o.variety = p.variety
                        AND a.valid_from <= p.purchased_on AND a.valid_until >= p.purchased_on
                        AND a.state IN ('certified', 'suspended', 'revoked'))
            ORDER BY p.id
            """).all(decoding: Hit.self).map {
            Anomalies.Flag(rule: .uncertified, key: "row:\($0.id)", rows: [$0.id],
                           reason: "\($0.purchased_on)采购时，产地没有在认定有效期内的“\($0.variety)”帮扶产品")
        }
    }

    static func list(_ req: Request, region: RegionCode? = nil) async throws -> [LedgerFlag] {
        let scope = req.scope(for: .viewReconciliation) ?? req.scope
        guard case .region(let r) = scope else { throw APIError.forbidden }
        return try await LedgerFlag.query(on: req.db).filter(\.$jurisdictionCode =~ (region ?? r).subtreePrefix)
            .sort(\.$status, .descending).sort(\.$id).limit(1_000).all()
    }

    struct Decision: Content { var status: String?; var note: String? }

    /// Accepted with a note, or marked corrected (the row itself is corrected in the ledger): a flag never changes a
    /// total.
    static func resolve(_ id: Int?, _ d: Decision, req: Request) async throws -> LedgerFlag {
        let region = try PeriodController.jurisdiction(req, for: .reconcile)
        guard let id, let f = try await LedgerFlag.query(on: req.db).filter(\.$id == id)
            .filter(\.$jurisdictionCode =~ region.subtreePrefix).first() else { throw APIError.notFound("异常标记") }
        guard let status = d.status, ["accepted", "corrected"].contains(status) else {
            throw FieldError(field: "status", code: "invalid", message: "处理结果须为“accepted”（接受）或“corrected”（已更正）")
        }
        f.note = try FormValue.text(d.note, "note", "处理说明", max: 200)
        f.status = status
        f.decidedBy = req.currentUser?.signature
        try await req.db.writeTransaction { db in
            try await f.save(on: db)
            try await Audit.record(req, on: db, action: "resolve", entity: "ledger_flag", id: f.id,
                region: f.jurisdictionCode,
                                   after: FlagDTO(f))
        }
        return f
    }

    @Sendable static func apiScan(req: Request) async throws -> [FlagDTO] {
        try await scan(try req.content.decode(ReconciliationService.RunInput.self), req: req).map(FlagDTO.init)
    }

    @Sendable static func apiIndex(req: Request) async throws -> [FlagDTO] { try await list(req).map(FlagDTO.init) }

    @Sendable static func apiResolve(req: Request) async throws -> FlagDTO {
        FlagDTO(try await resolve(req.parameters.get("id", as: Int.self), try req.content.decode(Decision.self),
            req: req))
    }

    /// GET reads, PUT sets, the caller's jurisdiction's thresholds.
    @Sendable static func apiThresholds(req: Request) async throws -> Anomalies.Thresholds {
        let region = try PeriodController.jurisdiction(req, for: .viewReconciliation)
        guard req.method == .PUT else { return try await thresholds(for: region, on: req.db) }
        let t = try req.content.decode(Anomalies.Thresholds.self)
        guard t.priceScore > 0, t.priceScore <= 100, t.yearEndTimes > 1, t.yearEndTimes <= 100,
              (1...100_000_000).contains(t.limitYuan), (2...1_000).contains(t.justUnderRows),
              (1...10_000).contains(t.roundShareBP), (2...100_000).contains(t.roundMinimumRows) else {
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
