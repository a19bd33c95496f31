import BangfuKit
import Fluent
import SQLKit
import Vapor

/// A period's reconciliation for an office's subtree: the ledger's rows and the carriers' shipments from its
/// places matched by `Reconciliation`, the proposals kept with the office's earlier decisions, each row's outcome
/// stored for 可溯源率.
enum ReconciliationService {
    struct RunInput: Content { var from: String?; var to: String? }

    struct Summary: Content {
        let from: String, to: String, rows: Int, waybills: Int, proposals: Int
        /// Rows per outcome (threeWay, twoWay, single, contradiction).
        let outcomes: [String: Int]
    }

    struct Row: Decodable {
        let id: Int, source: String, buyer_unit_id: Int, origin_region_code: String, purchased_on: String
        let amount_fen: Int64, quantity_thousandths: Int64, quantity_unit: String, variety: String, standing: Int
    }

    static func period(_ input: RunInput, today: LocalDate) throws -> (LocalDate, LocalDate) {
        let from = try FormValue.date(input.from, "from", "开始日期"), to = try FormValue.date(input.to, "to", "截止日期")
        guard from <= to else { throw FieldError(field: "to", code: "before_start", message: "截止日期不能早于开始日期") }
        guard from.days(until: to) <= 366 else {
            throw FieldError(field: "to", code: "too_long", message: "一次对账不超过一年")
        }
        return (from, to)
    }

    static func run(_ input: RunInput, req: Request) async throws -> Summary {
        let region = try PeriodController.jurisdiction(req, for: .reconcile)
        let (from, to) = try period(input, today: req.today)
        let prefix = region.subtreePrefix
        // Every row of the period, so that a row reversed or rejected since the last run loses its proposals; only
        // the standing ones are matched.
        let all = try await (req.db as! any SQLDatabase).raw("""
            SELECT p.id, p.source, p.buyer_unit_id, p.origin_region_code, p.purchased_on, p.amount_fen,
                p.quantity_thousandths, p.quantity_unit, p.variety,
                CASE WHEN p.reverses_id IS NULL AND p.state <> 'rejected'
                    AND NOT EXISTS (SELECT 1 FROM purchases r WHERE r.reverses_id = p.id) THEN 1 ELSE 0 END AS standing
            FROM purchases p
            WHERE p.origin_region_code LIKE \(bind: prefix + "%") AND p.purchased_on >= \(bind: from.description)
                AND p.purchased_on <= \(bind: to.description)
            """).all(decoding: Row.self)
        let rows = all.filter { $0.standing == 1 }
        let bills = try await LogisticsWaybill.query(on: req.db).filter(\.$originCode =~ prefix)
            .filter(\.$shippedOn >= from.adding(days: -7).description).filter(\.$shippedOn <= to.description).all()
        let matched = rows.compactMap(purchase)
        let (proposals, _) = Reconciliation.reconcile(matched, bills.compactMap(waybill))
        let origin = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.origin_region_code) })
        let outcomes = try await save(proposals, rows: matched, cleared: all.map(\.id), origin: origin, req: req)
        let counts = Dictionary(grouping: outcomes.values, by: \.rawValue).mapValues(\.count)
        return Summary(from: from.description, to: to.description, rows: rows.count, waybills: bills.count,
                       proposals: proposals.count, outcomes: counts)
    }

    static func purchase(_ r: Row) -> Reconciliation.Purchase? {
        guard let day = LocalDate(r.purchased_on) else { return nil }
        let source: Reconciliation.Source = switch PurchaseSource(rawValue: r.source) {
        case .townshipReport: .township
        case .leadUnitReport: .leadUnit
        case .platform: .platform
        case .order: .order
        default: .manual
        }
        return .init(id: r.id, source: source, buyer: r.buyer_unit_id, township: String(r.origin_region_code.prefix(9)),
                     day: day, amount: Fen(r.amount_fen),
                     quantity: Quantity(thousandths: r.quantity_thousandths, unit: r.quantity_unit), variety: r.variety)
    }

    static func waybill(_ w: LogisticsWaybill) -> Reconciliation.Waybill? {
        guard let day = LocalDate(w.shippedOn) else { return nil }
        return .init(id: w.id!, township: String(w.originCode.prefix(9)), receiver: w.receiverUnitID, shipped: day,
                     grams: w.grams, item: w.item)
    }

    /// Replaces the period's open proposals; a link the office confirmed or rejected keeps its decision, and a
    /// rejected one does not count towards the row's outcome.
    static func save(_ proposals: [Reconciliation.Proposal], rows: [Reconciliation.Purchase], cleared: [Int],
                     origin: [Int: String],
                     req: Request) async throws -> [Int: Reconciliation.Outcome] {
        let decided = try await rows.map(\.id).chunked(5_000).asyncFlatMap { chunk in
            try await ReconciliationLink.query(on: req.db).filter(\.$purchaseID ~~ Array(chunk))
                .filter(\.$status != "proposed").all()
        }
        let key: @Sendable (ReconciliationLink) -> String = { "\($0.purchaseID)|\($0.otherKind)|\($0.otherID)" }
        let decisions = Dictionary(decided.map { (key($0), $0.status) }, uniquingKeysWith: { a, _ in a })
        let links = proposals.map { link($0, origin: origin[$0.row] ?? "") }
        let fresh = links.filter { decisions[key($0)] == nil }
        let standing = zip(links, proposals).filter { decisions[key($0.0)] != "rejected" }.map(\.1)
        let outcomes = Reconciliation.outcomes(standing, rows: rows)
        try await req.db.writeTransaction { db in
            for chunk in cleared.chunked(2_000) {
                try await ReconciliationLink.query(on: db).filter(\.$purchaseID ~~ Array(chunk))
                    .filter(\.$status == "proposed").delete()
                try await PurchaseOutcome.query(on: db).filter(\.$purchaseID ~~ Array(chunk)).delete()
            }
            try await insert(fresh, outcomes, on: db)
            try await Audit.record(req, on: db, action: "reconcile", entity: "reconciliation", id: nil, region: nil,
                                   after: ["rows": String(rows.count), "proposals": String(proposals.count)])
        }
        return outcomes
    }

    /// Many rows a statement: a province's quarter is hundreds of thousands of links and outcomes.
    static func insert(_ links: [ReconciliationLink], _ outcomes: [Int: Reconciliation.Outcome],
                       on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in links.chunked(500) {
            try await sql.insert(into: ReconciliationLink.schema)
                .columns("purchase_id", "other_kind", "other_id", "score", "reasons", "contradicts", "ambiguous",
                         "status", "origin_code")
                .rows(chunk.map(row))
                .run()
        }
        let sorted = outcomes.sorted { $0.key < $1.key }
        for chunk in sorted.chunked(2_000) {
            let rows: [[any SQLExpression]] = chunk.map { [SQLBind($0.key), SQLBind($0.value.rawValue)] }
            try await sql.insert(into: PurchaseOutcome.schema).columns("purchase_id", "outcome").rows(rows).run()
        }
    }

    static func row(_ l: ReconciliationLink) -> [any SQLExpression] {
        [SQLBind(l.purchaseID), SQLBind(l.otherKind), SQLBind(l.otherID), SQLBind(l.score), SQLBind(l.reasons),
         SQLBind(l.contradicts), SQLBind(l.ambiguous), SQLBind(l.status), SQLBind(l.originCode)]
    }

    static func link(_ p: Reconciliation.Proposal, origin: String) -> ReconciliationLink {
        let l = ReconciliationLink()
        l.purchaseID = p.row
        switch p.other {
        case .purchase(let id): (l.otherKind, l.otherID) = ("purchase", id)
        case .waybill(let id): (l.otherKind, l.otherID) = ("waybill", id)
        }
        l.score = p.score; l.reasons = p.reasons.joined(separator: "、"); l.contradicts = p.contradicts
        l.ambiguous = p.ambiguous; l.status = "proposed"; l.originCode = origin
        return l
    }

    /// An office confirms or rejects a proposal (its outcome follows at the next run).
    static func decide(_ id: Int?, confirm: Bool, req: Request) async throws -> ReconciliationLink {
        guard let id, let l = try await ReconciliationLink.query(on: req.db).scoped(by: req.scope)
            .filter(\.$id == id).first() else { throw APIError.notFound("对账建议") }
        l.status = confirm ? "confirmed" : "rejected"
        l.decidedBy = req.currentUser?.signature
        try await req.db.writeTransaction { db in
            try await l.save(on: db)
            try await Audit.record(req, on: db, action: confirm ? "confirm" : "reject", entity: "reconciliation_link",
                                   id: l.id, region: l.originCode, after: ["status": l.status])
        }
        return l
    }
}

extension Sequence where Element: Sendable {
    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out += try await transform(e) }
        return out
    }
}
