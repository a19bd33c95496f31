import BangfuKit
import Fluent
import SQLKit

/// The hot path of matching: the offers that can serve a need, read in `NeedMatching.rank`'s order and no further
/// than the page shows — the helped places' offers by price, then the rest by 原深度贫困 first and price through the
/// index `offers_for_needs`, so a read stops after a few hundred rows whatever the size of the catalogue. `rank`
/// then orders and explains them; its first `limit` are the rule's first `limit`. A need asking for quality marks
/// orders by marks in the query instead.
enum NeedCandidates {
    struct Row: Decodable {
        let id: Int, variety: String, category: String, region_code: String, seller_masked: String
        let stock: Int64, quantity_unit: String, price_fen: Int64, price_unit: String?, quality_marks: String
        let certified: Int, deep: Int
    }

    struct Candidate {
        let offer: NeedMatching.Offer
        let row: Row
    }

    /// What a need's text names: a variety, or a category (水果, fruit) with its varieties — 茶叶 is both.
    static func filter(_ text: String) -> SQLQueryString {
        guard let category = ProductCategory(codeOrName: text) else { return "o.variety = \(bind: text)" }
        return "(o.variety = \(bind: text) OR o.category = \(bind: category.rawValue))"
    }

    static func certified(_ today: LocalDate) -> SQLQueryString {
        """
        EXISTS (SELECT 1 FROM product_applications a WHERE a.offer_id = o.id
            AND a.state = \(bind: CertificationState.certified.rawValue) AND a.valid_until > \(bind: today.description))
        """
    }

    /// `NeedMatching.usable` as SQL.
    static func usable(_ need: NeedMatching.Need, today: LocalDate) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = [
            filter(need.variety), "o.updated_on > \(bind: Freshness.freshSince(today).description)",
            "o.quantity_unit = \(bind: need.quantity.unit)", "o.quantity_thousandths > o.reserved_thousandths",
            "(o.price_unit IS NULL OR o.price_unit = \(bind: need.quantity.unit))", Blacklist.notListed(today),
        ]
        if let ceiling = need.priceCeiling { conditions.append("o.price_fen <= \(bind: ceiling.value)") }
        if need.certifiedOnly { conditions.append(certified(today)) }
        return conditions
    }

    static func load(_ need: NeedMatching.Need, today: LocalDate, limit: Int,
                     on db: any Database) async throws -> [Candidate] {
        let usable = usable(need, today: today)
        let helped = need.helpedPlaces.map { "o.region_code LIKE \(bind: $0.subtreePrefix + "%")" as SQLQueryString }
        guard need.marks.isEmpty else {
            let marks = need.marks.map {
                let mark = "%,\($0.rawValue),%"
                let hit: SQLQueryString = "(CASE WHEN ',' || o.quality_marks || ',' LIKE \(bind: mark) THEN 1 ELSE 0 END)"
                return hit
            }.joined(separator: " + ")
            var order: [SQLQueryString] = ["o.deep_poverty DESC", "\(marks) DESC", "o.price_fen", "o.id"]
            if !helped
                .isEmpty { order.insert("CASE WHEN " + helped.joined(separator: " OR ") + " THEN 1 ELSE 0 END DESC",
                    at: 0) }
            return try await read(usable, order: order.joined(separator: ", "), limit: limit, today: today, on: db)
        }
        var found: [Candidate] = []
        if !need.helpedPlaces.isEmpty {
            // As code ranges, which the (variety, place) index serves; a LIKE would read the variety's every offer.
            let near = "(" + need.helpedPlaces.map(within).joined(separator: " OR ") + ")" as SQLQueryString
            found = try await read([near] + usable, order: "o.price_fen, o.id", limit: limit, today: today, on: db)
        }
        // Enough of the rest that, the helped ones read above set aside, `limit` remain (when more helped ones exist
        // than those, the first `limit` are all helped): the rule's order is a prefix of this one.
        let rest = try await read(usable, order: "o.deep_poverty DESC, o.price_fen, o.id", limit: limit + found.count,
                                  today: today, on: db)
        let seen = Set(found.map(\.row.id))
        return found + rest.filter { !seen.contains($0.row.id) }
    }

    /// The offers in a place's subtree: every 12-digit code from its prefix padded with 0s to it padded with 9s.
    static func within(_ place: RegionCode) -> SQLQueryString {
        let prefix = place.subtreePrefix
        let pad = { (digit: Character) in prefix + String(repeating: digit, count: 12 - prefix.count) }
        return "o.region_code BETWEEN \(bind: pad("0")) AND \(bind: pad("9"))"
    }

    /// The offers `conditions` select, in `order`, at most `limit` of them (nil: all).
    static func read(_ conditions: [SQLQueryString], order: SQLQueryString, limit: Int?, today: LocalDate,
                     on db: any Database) async throws -> [Candidate] {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT o.id, o.variety, o.category, o.region_code, o.seller_masked,
                o.quantity_thousandths - o.reserved_thousandths AS stock, o.quantity_unit, o.price_fen, o.price_unit,
                o.quality_marks, CASE WHEN \(certified(today)) THEN 1 ELSE 0 END AS certified,
                CASE WHEN o.deep_poverty THEN 1 ELSE 0 END AS deep
            FROM offers o
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order)\(limit.map { " LIMIT \(bind: $0)" as SQLQueryString } ?? "")
            """).all(decoding: Row.self)
        return rows.compactMap { r in
            guard let place = RegionCode(r.region_code) else { return nil }
            let offer = NeedMatching.Offer(
                id: r.id, variety: r.variety, place: place, deepPoverty: r.deep == 1, certified: r.certified == 1,
                fresh: true, stock: Quantity(thousandths: r.stock, unit: r.quantity_unit),
                price: UnitPrice(fen: Fen(r.price_fen), unit: r.price_unit),
                marks: Set(r.quality_marks.split(separator: ",").compactMap { QualityMark(rawValue: String($0)) }),
                category: ProductCategory(rawValue: r.category)?.chineseName ?? r.category)
            return Candidate(offer: offer, row: r)
        }
    }
}
