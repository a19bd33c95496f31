import BangfuKit
import Fluent
import SQLKit

/// Keeping what a scan found: a row's flag is the row's wherever it was found; a unit's, a pair's or a seller's
/// belongs to the jurisdiction and period scanned. New flags are written many a statement, open ones refreshed
/// (rows, reason and the region those rows share), decided ones left as decided.
enum FlagRecord {
    static func save(_ flags: [Anomalies.Flag], origins: [Int: String], jurisdiction: RegionCode, period: String,
                     on db: any Database) async throws -> Int {
        let key: @Sendable (Anomalies.Flag) -> String = { $0.key.hasPrefix("row:") ? $0.key : "\(period)|\($0.key)" }
        let known = try await flags.map(key).chunked(500).asyncFlatMap { chunk in
            try await LedgerFlag.query(on: db).filter(\.$flagKey ~~ Array(chunk)).all()
        }
        let mine = known.filter { $0.flagKey.hasPrefix("row:") || $0.jurisdictionCode == jurisdiction.digits }
        let byKey = Dictionary(mine.map { ("\($0.rule)|\($0.flagKey)", $0) }, uniquingKeysWith: { a, _ in a })
        let region = { (f: Anomalies.Flag) in commonRegion(f.rows.compactMap { origins[$0] }, within: jurisdiction) }
        var fresh: [[any SQLExpression]] = []
        var changed: [LedgerFlag] = []
        for f in flags {
            let ids = f.rows.map(String.init).joined(separator: ",")
            guard let old = byKey["\(f.rule.rawValue)|\(key(f))"] else {
                fresh.append([SQLBind(jurisdiction.digits), SQLBind(f.rule.rawValue), SQLBind(key(f)),
                              SQLBind(region(f)), SQLBind(ids), SQLBind(f.reason), SQLBind("open")])
                continue
            }
            guard old.status == "open", old.rows != ids || old.reason != f.reason else { continue }
            old.rows = ids
            old.reason = f.reason
            old.regionCode = region(f)
            changed.append(old)
        }
        let inserts = fresh, updates = changed
        try await db.writeTransaction { db in
            for chunk in inserts.chunked(500) {
                try await (db as! any SQLDatabase).insert(into: LedgerFlag.schema)
                    .columns("jurisdiction_code", "rule", "flag_key", "region_code", "rows", "reason", "status")
                    .rows(Array(chunk)).run()
            }
            for f in updates { try await f.save(on: db) }
        }
        return inserts.count
    }

    /// The township all the rows come from, else their county, else the jurisdiction.
    static func commonRegion(_ origins: [String], within j: RegionCode) -> String {
        for length in [9, 6] {
            let prefixes = Set(origins.map { $0.prefix(length) })
            if prefixes.count == 1, let p = prefixes.first, p.count == length {
                return ReconciliationScope.pad(String(p), "0")
            }
        }
        return j.digits
    }
}
