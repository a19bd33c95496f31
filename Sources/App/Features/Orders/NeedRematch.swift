import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Every open need matched again (after a catalogue import, or nightly with `bangfu rematch-needs`): its first
/// `kept` offers under the rule, kept in `need_matches` for sellers to see where they stand. Needs of one
/// variety (or category) and unit share one read of the catalogue and one ordering of it (`NeedMatching.top`).
enum NeedRematch {
    static let kept = 20

    struct Summary: Sendable { let needs: Int; let matches: Int }

    static func run(on db: any Database, today: LocalDate) async throws -> Summary {
        let needs = try await Need.query(on: db).filter(\.$state == "open")
            .filter(\.$windowTo >= today.description).all()
        let helped = try await helpedPlaces(units: Set(needs.map { $0.$buyerUnit.id }), on: db)
        var rows: [(need: Int, offer: Int, rank: Int, tier: Int)] = []
        for group in Dictionary(grouping: needs, by: { "\($0.variety)|\($0.quantityUnit)" }).values {
            guard let first = group.first else { continue }
            let prepared = NeedMatching.Prepared(try await offers(first.variety, unit: first.quantityUnit,
                                                                  today: today, on: db))
            for n in group {
                let need = NeedMatching.Need(variety: n.variety, quantity: n.quantity,
                                             priceCeiling: n.priceCeilingFen.map { Fen($0) },
                                             certifiedOnly: n
                                                 .certifiedOnly, helpedPlaces: helped[n.$buyerUnit.id] ?? [],
                                             marks: n.marks)
                for (i, m) in NeedMatching.top(need, prepared, limit: kept).enumerated() {
                    rows.append((n.id!, m.offerID, i + 1, m.tier.rawValue))
                }
            }
        }
        try await save(rows, on: db)
        return Summary(needs: needs.count, matches: rows.count)
    }

    /// Every buyer unit's helped places: its confirmed pairings, read in one query.
    static func helpedPlaces(units: Set<Int>, on db: any Database) async throws -> [Int: [RegionCode]] {
        guard !units.isEmpty else { return [:] }
        let pairings = try await Pairing.query(on: db).filter(\.$helperUnit.$id ~~ units)
            .filter(\.$status == Pairing.confirmed).all()
        return Dictionary(grouping: pairings,
            by: { $0.$helperUnit.id ?? 0 }).mapValues { $0.compactMap(\.countedPlace) }
    }

    /// The fresh, in-stock offers of a variety (or category) in a unit, certified or not (each need says whether it
    /// must be), read once for all the needs that name it.
    static func offers(_ text: String, unit: String, today: LocalDate, on db: any Database) async throws
        -> [NeedMatching.Offer] {
        let usable: [SQLQueryString] = [
            NeedCandidates.filter(text), "o.updated_on > \(bind: Freshness.freshSince(today).description)",
            "o.quantity_unit = \(bind: unit)", "o.quantity_thousandths > o.reserved_thousandths",
            Blacklist.notListed(today),
        ]
        return try await NeedCandidates.read(usable, order: "o.id", limit: nil, today: today, on: db).map(\.offer)
    }

    /// Replaces the kept matches in one transaction, in chunks a statement can bind.
    static func save(_ rows: [(need: Int, offer: Int, rank: Int, tier: Int)], on db: any Database) async throws {
        try await db.writeTransaction { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM need_matches").run()
            for chunk in rows.chunked(2_000) {
                let values = chunk.map { r -> SQLQueryString in
                    "(\(bind: r.need), \(bind: r.offer), \(bind: r.rank), \(bind: r.tier))"
                }
                try await sql.raw("""
                    INSERT INTO need_matches (need_id, offer_id, rank, tier) VALUES \(values.joined(separator: ", "))
                    """).run()
            }
        }
    }
}

/// `bangfu rematch-needs`: every open need matched again against today's catalogue.
struct RematchNeedsCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "按当前目录重新匹配所有征集中的采购需求" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let started = Date()
        let s = try await NeedRematch.run(on: context.application.db, today: context.application.today)
        let ms = Int(Date().timeIntervalSince(started) * 1_000)
        context.console.print("已匹配 \(s.needs) 条需求，保留 \(s.matches) 条推荐，用时 \(ms) 毫秒")
    }
}
