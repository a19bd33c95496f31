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

    struct Sum: Decodable { let key: String; let counted: Double; let traced: Double }

    static func report(_ req: Request, from: LocalDate, to: LocalDate) async throws -> Report {
        let scope = req.scope(for: .viewReconciliation) ?? req.scope
        guard case .region(let region) = scope else { throw APIError.forbidden }
        return try await report(region, from: from, to: to, on: req.db)
    }

    static func report(_ region: RegionCode, from: LocalDate, to: LocalDate, on db: any Database) async throws -> Report {
        let township = try await sums("substr(p.origin_region_code, 1, 9) || '000'", region, from, to, on: db)
        let channel = try await sums("p.channel_code", region, from, to, on: db)
        let system = try await sums("COALESCE(CAST(p.buyer_system_id AS TEXT), '')", region, from, to, on: db)
        let systemNames = try await ReconciliationReport.names("system", keys: system.map(\.key), on: db)
        let names = try await RegionNames.places(for: township.map(\.key), on: db)
        let channelNames = try await ChannelList.load(on: db).names(for: region)
        let total = line("total", "合计", township.reduce(0) { $0 + $1.counted }, township.reduce(0) { $0 + $1.traced })
        return Report(from: from.description, to: to.description, total: total,
                      townships: township.map { line($0.key, names[$0.key] ?? $0.key, $0.counted, $0.traced) },
                      channels: channel.map { line($0.key, channelNames[$0.key] ?? $0.key, $0.counted, $0.traced) },
                      systems: system.map { line($0.key, systemNames[$0.key] ?? "（不属于任何系统）", $0.counted, $0.traced) })
    }

    /// Counted and traced amounts grouped by `key`, summed in floating point (a province's quarter can exceed what
    /// an integer sum of many rows should be trusted with), converted back to 分 within range.
    static func sums(_ key: String, _ region: RegionCode, _ from: LocalDate, _ to: LocalDate,
                     on db: any Database) async throws -> [Sum] {
        try await (db as! any SQLDatabase).raw("""
            SELECT \(unsafeRaw: key) AS key,
                SUM(CAST(p.amount_fen AS DOUBLE PRECISION)) AS counted,
                SUM(CASE WHEN o.outcome IN ('threeWay', 'twoWay') THEN CAST(p.amount_fen AS DOUBLE PRECISION) ELSE 0 END) AS traced
            FROM purchases p LEFT JOIN purchase_outcomes o ON o.purchase_id = p.id
            WHERE p.origin_region_code LIKE \(bind: region.subtreePrefix + "%")
                AND p.purchased_on >= \(bind: from.description) AND p.purchased_on <= \(bind: to.description)
                AND \(unsafeRaw: Rollups.counted)
            GROUP BY 1 ORDER BY 1
            """).all(decoding: Sum.self)
    }

    static func line(_ key: String, _ name: String, _ counted: Double, _ traced: Double) -> Line {
        let c = Int64(min(max(counted, 0), Double(Fen.maxFen))), t = Int64(min(max(traced, 0), Double(Fen.maxFen)))
        let rate = c > 0 ? String(format: "%.2f%%", Double(t) / Double(c) * 100) : "—"
        return Line(key: key, name: name, countedFen: c, tracedFen: t, rate: rate)
    }
}
