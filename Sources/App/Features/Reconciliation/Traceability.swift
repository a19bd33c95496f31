import BangfuKit
import Fluent
import SQLKit
import Vapor

/// 可溯源率: the share of a period's counted amount that two or more sources confirm (三方一致 or 两方一致 in the
/// last reconciliation), per township and per channel of an office's subtree.
enum Traceability {
    struct Line: Content {
        let key: String, name: String, countedFen: Int64, tracedFen: Int64, rate: String
        var counted: String { Fen(countedFen).wanText }
    }
    struct Report: Content {
        let from: String, to: String, total: Line, townships: [Line], channels: [Line], systems: [Line]
    }

    struct Sum: Decodable { let key: String; let counted: Int64; let traced: Int64 }

    static func report(_ req: Request, from: LocalDate, to: LocalDate) async throws -> Report {
        let scope = req.scope(for: .viewReconciliation) ?? req.scope
        guard case .region(let region) = scope else { throw APIError.forbidden }
        return try await report(region, from: from, to: to, on: req.db)
    }

    /// The total rate alone, for the dashboard: one aggregation.
    static func total(_ req: Request, from: LocalDate, to: LocalDate) async throws -> String {
        guard case .region(let region) = req.scope(for: .viewReconciliation) ?? req
            .scope else { throw APIError.forbidden }
        let all = try await sums("'total'", region, from, to, on: req.db)
        return percent(try APIError.total(all.map(\.traced)), of: try APIError.total(all.map(\.counted)))
    }

    static func report(_ region: RegionCode, from: LocalDate, to: LocalDate,
        on db: any Database) async throws -> Report {
        let township = try await sums("substr(p.origin_region_code, 1, 9) || '000'", region, from, to, on: db)
        let channel = try await sums("p.channel_code", region, from, to, on: db)
        let system = try await sums("COALESCE(CAST(p.buyer_system_id AS TEXT), '')", region, from, to, on: db)
        let systemNames = try await ReconciliationReport.names("system", keys: system.map(\.key), on: db)
        let names = try await RegionNames.places(for: township.map(\.key), on: db)
        let channelNames = try await ChannelList.load(on: db).names(for: region)
        let total = line("total", "合计", try APIError.total(township.map(\.counted)),
                         try APIError.total(township.map(\.traced)))
        return Report(from: from.description, to: to.description, total: total,
                      townships: township.map { line($0.key, names[$0.key] ?? $0.key, $0.counted, $0.traced) },
                      channels: channel.map { line($0.key, channelNames[$0.key] ?? $0.key, $0.counted, $0.traced) },
                      systems: system.map { line($0.key, systemNames[$0.key] ?? "（不属于任何系统）", $0.counted, $0.traced) })
    }

    /// Counted and traced amounts in 分 grouped by `key`, summed by the database as the rollups are.
    static func sums(_ key: String, _ region: RegionCode, _ from: LocalDate, _ to: LocalDate,
                     on db: any Database) async throws -> [Sum] {
        try await (db as! any SQLDatabase).raw("""
            SELECT \(unsafeRaw: key) AS key,
                CAST(SUM(p.amount_fen) AS BIGINT) AS counted,
                CAST(SUM(CASE WHEN o.outcome IN ('threeWay', 'twoWay') THEN p.amount_fen ELSE 0 END) AS BIGINT) AS
                    traced
            FROM purchases p LEFT JOIN purchase_outcomes o ON o.purchase_id = p.id
            WHERE p.origin_region_code LIKE \(bind: region.subtreePrefix + "%")
                AND p.purchased_on >= \(bind: from.description) AND p.purchased_on <= \(bind: to.description)
                AND \(unsafeRaw: Rollups.counted)
            GROUP BY 1 ORDER BY 1
            """).all(decoding: Sum.self)
    }

    static func line(_ key: String, _ name: String, _ counted: Int64, _ traced: Int64) -> Line {
        Line(key: key, name: name, countedFen: counted, tracedFen: traced, rate: percent(traced, of: counted))
    }

    /// "54.55%" (to the hundredth, truncated), or "—" without a whole.
    static func percent(_ part: Int64, of whole: Int64) -> String {
        Fen.shareBP(part, of: whole, rounded: true).map(percent(bp:)) ?? "—"
    }

    static func percent(bp: Int) -> String { "\(bp / 100).\(String(format: "%02d", bp % 100))%" }
}
