import BangfuKit
import Fluent
import SQLKit
import Vapor

/// 利益联结到户: a year's counted amounts attributed to households — a household's own sales (its name in its
/// village), a household supplier's, and a cooperative's spread equally over the 脱贫户 it links
/// by the weights it declared (`Attribution.split`, to the 分) — per village and per household (masked), with who
/// was not reached and how
/// concentrated it is. What no household can be found for is reported apart, never guessed.
enum HouseholdAttribution {
    struct Household: Content {
        let id: Int, name: String, village: String, amountFen: Int64, amount: String
    }
    struct Village: Content {
        let code: String, name: String, households: Int, reached: Int, amountFen: Int64
        /// The share the top tenth of its households received, e.g. "62.50%".
        let topTenthShare: String
    }
    struct Report: Content {
        let year: Int, attributedFen: Int64, unattributedFen: Int64, reached: Int, notReached: Int
        let topTenthShare: String, villages: [Village]
        /// Every household reached, most first (the API lists the first 500).
        var households: [Household]
    }

    struct Group: Decodable { let supplier_id: Int?; let seller_key: String; let amount: Int64 }

    static func report(_ req: Request, year: Int) async throws -> Report {
        let prefix: String
        switch req.scope {
        case .region(let region): prefix = region.subtreePrefix
        case .everything: prefix = ""
        default: throw APIError.forbidden
        }
        let households = try await App.Household.query(on: req.db).filter(\.$regionCode =~ prefix).all()
        let cipher = req.fieldCipher
        var byKey: [String: Int] = [:]
        for h in households { byKey[cipher.lookupHash("\(h.regionCode)|\(try cipher.open(h.nameSealed))")] = h.id! }
        let groups = try await (req.db as! any SQLDatabase).raw("""
            SELECT supplier_id, seller_key, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM purchases
            WHERE origin_region_code LIKE \(bind: prefix + "%") AND substr(booked_on, 1, 4) = \(bind: String(year))
                AND \(unsafeRaw: Rollups.counted)
            GROUP BY supplier_id, seller_key
            """).all(decoding: Group.self)
        let links = try await linked(Set(groups.compactMap(\.supplier_id)), on: req.db)
        var amounts: [Int: Int64] = [:], unattributed: Int64 = 0
        for g in groups {
            let whose = g.supplier_id.flatMap { links[$0] } ?? byKey[g.seller_key].map { [$0: 1] } ?? [:]
            guard !whose.isEmpty else { unattributed = try APIError.total([unattributed, g.amount]); continue }
            for share in Attribution.split(Fen(g.amount), weights: whose) {
                amounts[share.household] = try APIError.total([amounts[share.household] ?? 0, share.amount.value])
            }
        }
        return try await build(year: year, households: households, amounts: amounts, unattributed: unattributed,
                               on: req.db)
    }

    /// Supplier → the households its sales reach and their weights: a household supplier's own, a cooperative's
    /// linked 脱贫户 by the weights it declared (1 each unless it did).
    static func linked(_ suppliers: Set<Int>, on db: any Database) async throws -> [Int: [Int: Int]] {
        guard !suppliers.isEmpty else { return [:] }
        var out: [Int: [Int: Int]] = [:]
        // In chunks: a province's suppliers outnumber the binds one statement may carry.
        for chunk in Array(suppliers).chunked(1_000).map(Array.init) {
            for s in try await Supplier.query(on: db).filter(\.$id ~~ chunk).all() {
                if let own = s.$household.id { out[s.id!] = [own: 1] }
            }
            for l in try await SupplierHousehold.query(on: db).filter(\.$supplier.$id ~~ chunk).all() {
                out[l.$supplier.id, default: [:]][l.$household.id] = l.weight
            }
        }
        return out
    }

    static func build(year: Int, households: [App.Household], amounts: [Int: Int64], unattributed: Int64,
                      on db: any Database) async throws -> Report {
        let names = try await RegionNames.places(for: households.map(\.regionCode), on: db)
        let share = { (fens: [Int64]) -> String in
            Traceability.percent(bp: Attribution.topTenthShareBP(fens.map { Fen($0) }))
        }
        let villages = try Dictionary(grouping: households, by: \.regionCode).map { code, hs -> Village in
            let fens = hs.map { amounts[$0.id!] ?? 0 }
            return Village(code: code, name: names[code] ?? code, households: hs.count,
                reached: fens.filter { $0 > 0 }.count,
                           amountFen: try APIError.total(fens), topTenthShare: share(fens))
        }.sorted { $0.code < $1.code }
        let lines = households.compactMap { h -> Household? in
            guard let fen = amounts[h.id!], fen > 0 else { return nil }
            return Household(id: h.id!, name: h.nameMasked, village: names[h.regionCode] ?? h.regionCode,
                amountFen: fen,
                             amount: Fen(fen).description)
        }.sorted { ($0.amountFen, -$0.id) > ($1.amountFen, -$1.id) }
        let reached = lines.count
        return Report(year: year, attributedFen: try APIError.total(lines.map(\.amountFen)),
            unattributedFen: unattributed,
                      reached: reached, notReached: households.count - reached,
                      topTenthShare: share(households.map { amounts[$0.id!] ?? 0 }), villages: villages,
                      households: lines)
    }

    @Sendable static func api(req: Request) async throws -> Report {
        var r = try await report(req, year: year(req))
        r.households = Array(r.households.prefix(500))
        return r
    }

    static func year(_ req: Request) throws -> Int {
        guard let text = req.query[String.self, at: "year"] else { return req.today.year }
        guard let y = Int(text), (2000...2100).contains(y) else { throw FieldError.invalid("year", "年度") }
        return y
    }

    /// 年终考核: the villages, then every household reached (masked), as .xlsx or .csv.
    @Sendable static func export(req: Request) async throws -> Response {
        let r = try await report(req, year: year(req))
        let villages = r.villages.map { v in
            [v.name, String(v.households), String(v.reached), String(v.households - v.reached),
             Fen(v.amountFen).yuanString, v.topTenthShare]
        }
        let households = r.households.map { [$0.village, $0.name, Fen($0.amountFen).yuanString] }
        let rows = [["\(r.year)年消费帮扶利益联结到户"],
                    ["合计到户（元）", Fen(r.attributedFen).yuanString,
                     "未能到户（元）", Fen(r.unattributedFen).yuanString,
                     "受益户", String(r.reached), "未受益户", String(r.notReached), "前10%户占比", r.topTenthShare],
                    [], ["村", "脱贫户数", "受益户数", "未受益户数", "到户金额（元）", "前10%户占比"]] + villages
            + [[], ["村", "脱贫户（已脱敏）", "到户金额（元）"]] + households
        return try SheetDownload.response(rows, sheetName: "利益联结到户", filename: "利益联结到户-\(r.year)", req: req)
    }
}
