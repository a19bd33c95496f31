import BangfuKit
import Fluent
import SQLKit

/// What one run covers: an office's subtree (a code prefix) and a period. Places are read by range — codes are
/// 12 digits, so a prefix's subtree is the codes between it padded with 0s and with 9s — which an index serves on
/// both databases.
struct ReconciliationScope: Sendable {
    let prefix: String, from: LocalDate, to: LocalDate
    /// The first and last place codes of the subtree.
    let low: String, high: String

    init(prefix: String, from: LocalDate, to: LocalDate) {
        self.init(prefix: prefix, low: Self.pad(prefix, "0"), high: Self.pad(prefix, "9"), from: from, to: to)
    }

    /// The places from one township to another (by code), in the same period: a run's batch of townships.
    func townships(_ first: String, through last: String) -> ReconciliationScope {
        ReconciliationScope(prefix: prefix, low: Self.pad(first, "0"), high: Self.pad(last, "9"), from: from, to: to)
    }

    private init(prefix: String, low: String, high: String, from: LocalDate, to: LocalDate) {
        self.prefix = prefix; self.low = low; self.high = high; self.from = from; self.to = to
    }
    /// Waybills are shipped up to a week before the purchase they carry, or the day after.
    var shippedFrom: String { from.adding(days: -7).description }
    var shippedTo: String { to.adding(days: 1).description }

    /// `column` (a place code) in the scope's subtree, as a range an index serves.
    func places(_ column: String) -> SQLQueryString {
        "\(unsafeRaw: column) >= \(bind: low) AND \(unsafeRaw: column) <= \(bind: high)"
    }

    /// `column` (a day) within the period.
    func days(_ column: String) -> SQLQueryString {
        "\(unsafeRaw: column) >= \(bind: from.description) AND \(unsafeRaw: column) <= \(bind: to.description)"
    }

    static func pad(_ prefix: String, _ digit: Character) -> String {
        prefix + String(repeating: digit, count: max(0, 12 - prefix.count))
    }

    /// The last row and waybill committed: what the next run will count as new starts after them.
    func watermarks(on db: any Database) async throws -> (purchase: Int, waybill: Int) {
        (try await db.committedMax(Purchase.schema), try await db.committedMax(LogisticsWaybill.schema))
    }

    /// Every township with rows in the period, each with all its buyers (nil), and how many rows it has.
    func allTownships(on db: any Database) async throws -> [String: (buyers: Set<Int>?, rows: Int)] {
        struct T: Decodable { let township: String; let n: Int }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT substr(origin_region_code, 1, 9) AS township, COUNT(*) AS n FROM purchases
            WHERE \(places("origin_region_code")) AND \(days("purchased_on")) GROUP BY 1
            """).all(decoding: T.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.township, (nil, $0.n)) })
    }

    /// The blocks where something changed since the last run: rows past its watermark (new rows and corrections,
    /// which repeat their row's place and buyer), waybills past it, and outcomes a decision or rejection made stale.
    func changedBlocks(since run: ReconciliationRun,
                       on db: any Database) async throws -> [String: (buyers: Set<Int>?, rows: Int)] {
        struct B: Decodable { let township: String; let buyer: Int }
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT DISTINCT substr(origin_region_code, 1, 9) AS township, buyer_unit_id AS buyer FROM purchases
            WHERE id > \(bind: run.lastPurchaseID) AND \(places("origin_region_code")) AND \(days("purchased_on"))
            """).all(decoding: B.self)
        let bills = try await sql.raw("""
            SELECT DISTINCT substr(origin_code, 1, 9) AS township, receiver_unit_id AS buyer FROM logistics_waybills
            WHERE id > \(bind: run.lastWaybillID) AND receiver_unit_id IS NOT NULL AND \(places("origin_code"))
                AND shipped_on >= \(bind: shippedFrom) AND shipped_on <= \(bind: shippedTo)
            """).all(decoding: B.self)
        let stale = try await sql.raw("""
            SELECT DISTINCT substr(p.origin_region_code, 1, 9) AS township, p.buyer_unit_id AS buyer
            FROM purchase_outcomes o JOIN purchases p ON p.id = o.purchase_id
            WHERE o.stale AND \(places("p.origin_region_code")) AND \(days("p.purchased_on"))
            """).all(decoding: B.self)
        var out: [String: Set<Int>] = [:]
        for b in rows + bills + stale { out[b.township, default: []].insert(b.buyer) }
        return out.mapValues { ($0, 0) }
    }
}

/// The last run of a scope and period: the watermarks its re-run starts after.
final class ReconciliationRun: Model, @unchecked Sendable {
    static let schema = "reconciliation_runs"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "region_prefix") var regionPrefix: String
    @Field(key: "from_day") var fromDay: String
    @Field(key: "to_day") var toDay: String
    @Field(key: "last_purchase_id") var lastPurchaseID: Int
    @Field(key: "last_waybill_id") var lastWaybillID: Int

    init() {}

    static func find(_ s: ReconciliationScope, on db: any Database) async throws -> ReconciliationRun? {
        try await query(on: db).filter(\.$regionPrefix == s.prefix).filter(\.$fromDay == s.from.description)
            .filter(\.$toDay == s.to.description).first()
    }

    static func remember(_ s: ReconciliationScope, _ marks: (purchase: Int, waybill: Int),
                         on db: any Database) async throws {
        let run = try await find(s, on: db) ?? ReconciliationRun()
        run.regionPrefix = s.prefix
        run.fromDay = s.from.description
        run.toDay = s.to.description
        run.lastPurchaseID = marks.purchase
        run.lastWaybillID = marks.waybill
        try await run.save(on: db)
    }
}

extension PurchaseOutcome {
    /// These rows' outcomes no longer follow from their links: the next run re-reads their blocks.
    static func markStale(_ purchases: [Int], on db: any Database) async throws {
        for chunk in purchases.chunked(1_000) {
            try await query(on: db).filter(\.$purchaseID ~~ Array(chunk)).set(\.$stale, to: true).update()
        }
    }
}
