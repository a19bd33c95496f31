import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The reconciliation report (.xlsx or .csv) of a period, per township or per lead system: rows by outcome, the
/// counted amount and what two or more sources confirm.
enum ReconciliationReport {
    struct Sum: Decodable {
        let key: String?
        let rows: Int, three: Int, two: Int, single: Int, contradiction: Int
        let counted: Int64, traced: Int64
    }

    static func rows(_ req: Request, by: String, from: LocalDate, to: LocalDate) async throws -> [[String]] {
        guard case .region(let region) = req.scope(for: .viewReconciliation) ?? req
            .scope else { throw APIError.forbidden }
        let key: SQLQueryString = by == "system" ? "CAST(p.buyer_system_id AS TEXT)"
            : "substr(p.origin_region_code, 1, 9) || '000'"
        let sums = try await (req.db as! any SQLDatabase).raw("""
            SELECT \(key) AS key, COUNT(*) AS rows,
                SUM(CASE WHEN o.outcome = 'threeWay' THEN 1 ELSE 0 END) AS three,
                SUM(CASE WHEN o.outcome = 'twoWay' THEN 1 ELSE 0 END) AS two,
                SUM(CASE WHEN o.outcome = 'single' OR o.outcome IS NULL THEN 1 ELSE 0 END) AS single,
                SUM(CASE WHEN o.outcome = 'contradiction' THEN 1 ELSE 0 END) AS contradiction,
                CAST(SUM(CASE WHEN \(unsafeRaw: Rollups.counted) THEN p.amount_fen ELSE 0 END) AS BIGINT) AS counted,
                CAST(SUM(CASE WHEN \(unsafeRaw: Rollups.counted) AND o.outcome IN ('threeWay', 'twoWay')
                    THEN p.amount_fen ELSE 0 END) AS BIGINT) AS traced
            FROM purchases p LEFT JOIN purchase_outcomes o ON o.purchase_id = p.id
            WHERE p.origin_region_code LIKE \(bind: region.subtreePrefix + "%") AND p.reverses_id IS NULL
                AND p.purchased_on >= \(bind: from.description) AND p.purchased_on <= \(bind: to.description)
            GROUP BY 1 ORDER BY 1
            """).all(decoding: Sum.self)
        let names = try await self.names(by, keys: sums.compactMap(\.key), on: req.db)
        let header = [by == "system" ? "牵头单位系统" : "乡镇", "记录数", "三方一致", "两方一致", "仅一方", "矛盾", "计入金额（元）",
                      "两方及以上一致（元）", "可溯源率"]
        return [["三方对账报告 \(from) 至 \(to)"], header] + sums.map { s in
            let line = Traceability.line(s.key ?? "", "", s.counted, s.traced)
            return [s.key.flatMap { names[$0] } ?? (by == "system" ? "（不属于任何系统）" : s.key ?? ""), String(s.rows),
                    String(s.three), String(s.two), String(s.single), String(s.contradiction),
                    Fen(line.countedFen).yuanString, Fen(line.tracedFen).yuanString, line.rate]
        }
    }

    static func names(_ by: String, keys: [String], on db: any Database) async throws -> [String: String] {
        guard by == "system" else { return try await RegionNames.places(for: keys, on: db) }
        let ids = keys.compactMap { Int($0) }
        return Dictionary(try await LeadSystem.query(on: db).filter(\.$id ~~ ids).all().map { (String($0.id!),
            $0.name) },
                          uniquingKeysWith: { a, _ in a })
    }

    @Sendable static func export(req: Request) async throws -> Response {
        let (from, to) = try ReconciliationController.period(req)
        let by = req.query["by"] == "system" ? "system" : "township"
        return try SheetDownload.response(try await rows(req, by: by, from: from, to: to), sheetName: "三方对账",
                                          filename: "三方对账-\(by == "system" ? "按系统" : "按乡镇")-\(from)-\(to)", req: req)
    }
}
