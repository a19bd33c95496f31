import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The last ledger row the incremental flag scan has read.
final class FlagScanMark: Model, @unchecked Sendable {
    static let schema = "flag_scan_marks"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "last_purchase_id") var lastPurchaseID: Int

    init() {}
}

/// After an import, the flags of what it touched: per county of the new rows, the months of their varieties
/// (prices, twins) and the years of their buyers and sellers (a unit's pattern, a seller's supply) — read by range,
/// so the cost follows the new rows, not the ledger. Party flags are keyed by the calendar year.
enum IncrementalFlagScan {
    struct New: Decodable {
        let id: Int, origin_region_code: String, month: String, variety: String, buyer_unit_id: Int
        let seller_key: String
    }

    struct Summary: Content { let rows: Int, counties: Int, found: Int, created: Int }

    static func run(on db: any Database) async throws -> Summary {
        let mark = try await FlagScanMark.query(on: db).first()
        let after = mark?.lastPurchaseID ?? 0
        let end = try await db.committedMax(Purchase.schema)
        guard end > after else {
            return Summary(rows: 0, counties: 0, found: 0, created: 0)
        }
        let new = try await (db as! any SQLDatabase).raw("""
            SELECT id, origin_region_code, substr(purchased_on, 1, 7) AS month, variety, buyer_unit_id, seller_key
            FROM purchases WHERE id > \(bind: after) AND id <= \(bind: end)
                AND reverses_id IS NULL
            """).all(decoding: New.self)
        var found = 0, created = 0
        let counties = Dictionary(grouping: new) { String($0.origin_region_code.prefix(6)) }
        for (county, rows) in counties.sorted(by: { $0.key < $1.key }) {
            guard let region = RegionCode(ReconciliationScope.pad(county, "0")) else { continue }
            let (f, c) = try await scan(rows, county: region, after: after, on: db)
            found += f
            created += c
        }
        let kept = mark ?? FlagScanMark()
        kept.lastPurchaseID = end
        try await kept.save(on: db)
        return Summary(rows: new.count, counties: counties.count, found: found, created: created)
    }

    /// One county's share of the new rows: its year read once, and of it the months of the new rows' varieties
    /// (prices, twins), the new rows' buyers (a unit's pattern) and sellers (their supply).
    static func scan(_ new: [New], county: RegionCode, after: Int,
                     on db: any Database) async throws -> (found: Int, created: Int) {
        var found = 0, created = 0
        for (year, rows) in Dictionary(grouping: new, by: { String($0.month.prefix(4)) }) {
            guard let from = LocalDate("\(year)-01-01"), let to = LocalDate("\(year)-12-31") else { continue }
            let scope = ReconciliationScope(prefix: county.subtreePrefix, from: from, to: to)
            let all = try await FlagScan.rows(scope, on: db)
            let months = Set(rows.map { "\($0.month)|\($0.variety)" })
            let buyers = Set(rows.map(\.buyer_unit_id)), sellers = Set(rows.map(\.seller_key))
            let monthRows = all.filter { months.contains("\($0.month)|\($0.variety)") }
            let buyerRows = all.filter { buyers.contains($0.buyer_unit_id) }
            let sellerRows = all.filter { sellers.contains($0.seller_key) }
            let context = try await FlagScan.Context.read(monthRows + buyerRows + sellerRows, region: county, on: db)
            let uncertified = try await FlagScan.uncertified(scope, after: after, on: db)
            let flags = context.scan(monthRows, rules: Anomalies.monthRules)
                + context.scan(buyerRows, rules: Anomalies.partyRules.subtracting([.beyondSupply]))
                + context.scan(sellerRows, rules: [.beyondSupply]) + uncertified.flags
            let origins = Dictionary(all.map { ($0.id, $0.origin_region_code) }, uniquingKeysWith: { a, _ in a })
                .merging(uncertified.origins, uniquingKeysWith: { a, _ in a })
            found += flags.count
            created += try await FlagRecord.save(flags, origins: origins, jurisdiction: county,
                                                 period: "\(from)~\(to)", on: db)
        }
        return (found, created)
    }
}

/// `bangfu scan-flags`: the flags of every ledger row written since the last scan (after a restore, or to time it).
struct ScanFlagsCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "检查上次以来新增台账记录涉及的异常" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let started = Date()
        let s = try await IncrementalFlagScan.run(on: context.application.db)
        let ms = Int(Date().timeIntervalSince(started) * 1_000)
        context.console.print("新增记录 \(s.rows) 条（\(s.counties) 个县），发现 \(s.found) 条异常，"
            + "新标记 \(s.created) 条，用时 \(ms) 毫秒")
    }
}
