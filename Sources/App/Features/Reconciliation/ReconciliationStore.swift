import BangfuKit
import Fluent
import SQLKit
import Vapor

/// One township's part of a run: its rows and waybills read by range, matched, and written in one transaction —
/// the open proposals replaced, the office's decisions kept, each row's outcome stored.
enum ReconciliationStore {
    struct Tally {
        var rows = 0, waybills = 0, proposals = 0, blocks = 0
        var outcomes: [String: Int] = [:]

        mutating func add(_ other: Tally) {
            rows += other.rows
            waybills += other.waybills
            proposals += other.proposals
            blocks += other.blocks
            outcomes.merge(other.outcomes, uniquingKeysWith: +)
        }
    }

    struct Row: Decodable {
        let id: Int, source: String, buyer_unit_id: Int, origin_region_code: String, purchased_on: String
        let amount_fen: Int64, quantity_thousandths: Int64, quantity_unit: String, variety: String, standing: Int
    }

    struct Bill: Decodable {
        let id: Int, origin_code: String, receiver_unit_id: Int?, shipped_on: String, grams: Int64?, item: String
    }

    /// Blocks read whole: every row of the places' blocks given ("township:buyer"; nil: all), so a row reversed or
    /// rejected since the last run loses its proposals; only the standing ones are matched.
    static func reconcile(_ place: ReconciliationScope, blocks: [String]?, on db: any Database,
                          lease: LeaseCheck? = nil) async throws -> Tally {
        let sql = db as! any SQLDatabase
        var rowQuery: SQLQueryString = """
            SELECT p.id, p.source, p.buyer_unit_id, p.origin_region_code, p.purchased_on, p.amount_fen,
                p.quantity_thousandths, p.quantity_unit, p.variety,
                CASE WHEN p.reverses_id IS NULL AND p.state <> 'rejected'
                    AND NOT EXISTS (SELECT 1 FROM purchases r WHERE r.reverses_id = p.id) THEN 1 ELSE 0 END AS standing
            FROM purchases p WHERE \(place.places("p.origin_region_code")) AND \(place.days("p.purchased_on"))
            """
        var billQuery: SQLQueryString = """
            SELECT id, origin_code, receiver_unit_id, shipped_on, grams, item FROM logistics_waybills
            WHERE \(place.places("origin_code")) AND shipped_on >= \(bind: place.shippedFrom)
                AND shipped_on <= \(bind: place.shippedTo) AND receiver_unit_id IS NOT NULL
            """
        if let blocks {
            rowQuery += " AND substr(p.origin_region_code, 1, 9) || ':' || CAST(p.buyer_unit_id AS TEXT)"
            rowQuery += " IN (\(binds: blocks))"
            billQuery += " AND substr(origin_code, 1, 9) || ':' || CAST(receiver_unit_id AS TEXT) IN (\(binds: blocks))"
        }
        let all = try await sql.raw(rowQuery).all(decoding: Row.self)
        let bills = try await sql.raw(billQuery).all(decoding: Bill.self).compactMap(waybill)
        let rows = all.filter { $0.standing == 1 }.compactMap(purchase)
        let (proposals, _) = Reconciliation.reconcile(rows, bills)
        let origin = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.origin_region_code) })
        let outcomes = try await save(proposals, rows: rows, cleared: all.map(\.id), waybills: bills.map(\.id),
                                      origin: origin, on: db, lease: lease)
        return Tally(rows: rows.count, waybills: bills.count, proposals: proposals.count,
                     blocks: Set(rows.map { "\($0.township)|\($0.buyer)" }).count,
                     outcomes: Dictionary(grouping: outcomes.values, by: \.rawValue).mapValues(\.count))
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

    static func waybill(_ w: Bill) -> Reconciliation.Waybill? {
        guard let day = LocalDate(w.shipped_on) else { return nil }
        return .init(id: w.id, township: String(w.origin_code.prefix(9)), receiver: w.receiver_unit_id, shipped: day,
                     grams: w.grams, item: w.item)
    }

    /// Replaces the block's open proposals; a link the office confirmed or rejected keeps its decision, and a
    /// rejected one does not count towards the row's outcome. An open link between this block's rows or waybills
    /// and a row this run did not read (another period's run made it) goes too, and that row's outcome is marked
    /// stale, so its own period's next run reads it again: overlapping runs never leave a link twice.
    static func save(_ proposals: [Reconciliation.Proposal], rows: [Reconciliation.Purchase], cleared: [Int],
                     waybills: [Int], origin: [Int: String], on db: any Database,
                     lease: LeaseCheck? = nil) async throws -> [Int: Reconciliation.Outcome] {
        let links = proposals.map { link($0, origin: origin[$0.row] ?? "") }
        return try await db.writeTransaction { db in
            let decided = try await rows.map(\.id).chunked(2_000).asyncFlatMap { chunk in
                try await ReconciliationLink.query(on: db).filter(\.$purchaseID ~~ Array(chunk))
                    .filter(\.$status != "proposed").all()
            }
            let key: @Sendable (ReconciliationLink) -> String = { "\($0.purchaseID)|\($0.otherKind)|\($0.otherID)" }
            let decisions = Dictionary(decided.map { (key($0), $0.status) }, uniquingKeysWith: { a, _ in a })
            let standing = zip(links, proposals).filter { decisions[key($0.0)] != "rejected" }.map(\.1)
            let outcomes = Reconciliation.outcomes(standing, rows: rows)
            try await clear(rows: cleared, waybills: waybills, on: db)
            try await insert(links.filter { decisions[key($0)] == nil }, outcomes, on: db)
            try await lease?(db)
            return outcomes
        }
    }

    /// Deletes the open links of these rows and to these rows and waybills, and their outcomes; marks stale the
    /// outcomes of rows outside them that lose a link (a waybill's links left after the rows' are all outside).
    static func clear(rows: [Int], waybills: [Int], on db: any Database) async throws {
        let read = Set(rows)
        var outside = Set<Int>()
        for chunk in rows.chunked(1_000) {
            let ids = Array(chunk)
            let mine = try await ReconciliationLink.query(on: db).filter(\.$status == "proposed")
                .group(.or) { $0.filter(\.$purchaseID ~~ ids)
                    .group(.and) { $0.filter(\.$otherKind == "purchase").filter(\.$otherID ~~ ids) } }.all()
            for l in mine {
                outside.formUnion([l.purchaseID] + (l.otherKind == "purchase" ? [l.otherID] : []))
            }
            try await ReconciliationLink.query(on: db).filter(\.$id ~~ mine.compactMap(\.id)).delete()
            try await PurchaseOutcome.query(on: db).filter(\.$purchaseID ~~ ids).delete()
        }
        for chunk in waybills.chunked(1_000) {
            let theirs = try await ReconciliationLink.query(on: db).filter(\.$status == "proposed")
                .filter(\.$otherKind == "waybill").filter(\.$otherID ~~ Array(chunk)).all()
            outside.formUnion(theirs.map(\.purchaseID))
            try await ReconciliationLink.query(on: db).filter(\.$id ~~ theirs.compactMap(\.id)).delete()
        }
        try await PurchaseOutcome.markStale(Array(outside.subtracting(read)), on: db)
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
}

extension Sequence where Element: Sendable {
    func asyncFlatMap<T>(_ transform: (Element) async throws -> [T]) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out += try await transform(e) }
        return out
    }
}
