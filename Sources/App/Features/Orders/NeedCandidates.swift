import BangfuKit
import Fluent
import SQLKit

/// The hot path of matching: one query reads the offers that can serve a need, already in `NeedMatching.rank`'s
/// order (helped places, 原深度贫困, asked-for marks, price, id), and stops at `limit`; `rank` then orders and
/// explains those. Its first `limit` are the rule's first `limit`, without reading a variety's whole catalogue.
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

    /// 1 when the offer's place or any place above it is 原深度贫困.
    static var deepPoverty: SQLQueryString {
        """
        CASE WHEN EXISTS (SELECT 1 FROM regions r WHERE r.is_deep_poverty = \(bind: true) AND r.code IN (
            o.region_code, substr(o.region_code, 1, 9) || '000', substr(o.region_code, 1, 6) || '000000',
            substr(o.region_code, 1, 4) || '00000000', substr(o.region_code, 1, 2) || '0000000000'))
        THEN 1 ELSE 0 END
        """
    }

    /// What a need's text names: a category (水果, fruit) or a variety.
    static func filter(_ text: String) -> SQLQueryString {
        if let category = ProductCategory(codeOrName: text) { return "o.category = \(bind: category.rawValue)" }
        return "o.variety = \(bind: text)"
    }

    static func load(_ need: NeedMatching.Need, today: LocalDate, limit: Int,
                     on db: any Database) async throws -> [Candidate] {
        let day = today.description
        let certified: SQLQueryString = """
            EXISTS (SELECT 1 FROM product_applications a WHERE a.offer_id = o.id
                AND a.state = \(bind: CertificationState.certified.rawValue) AND a.valid_until > \(bind: day))
            """
        let helped = need.helpedPlaces.isEmpty ? "0" : SQLQueryString("CASE WHEN ")
            + need.helpedPlaces.map { "o.region_code LIKE \(bind: $0.subtreePrefix + "%")" as SQLQueryString }
                .joined(separator: " OR ") + " THEN 1 ELSE 0 END"
        let marks = need.marks.isEmpty ? "0" : need.marks.map {
            "(CASE WHEN ',' || o.quality_marks || ',' LIKE \(bind: "%,\($0.rawValue),%") THEN 1 ELSE 0 END)" as SQLQueryString
        }.joined(separator: " + ")
        var conditions: [SQLQueryString] = [
            filter(need.variety), "o.updated_on > \(bind: Freshness.freshSince(today).description)",
            "o.quantity_unit = \(bind: need.quantity.unit)", "o.quantity_thousandths > o.reserved_thousandths",
            "(o.price_unit IS NULL OR o.price_unit = \(bind: need.quantity.unit))",
        ]
        if let ceiling = need.priceCeiling { conditions.append("o.price_fen <= \(bind: ceiling.value)") }
        if need.certifiedOnly { conditions.append(certified) }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT o.id, o.variety, o.category, o.region_code, o.seller_masked,
                o.quantity_thousandths - o.reserved_thousandths AS stock, o.quantity_unit, o.price_fen, o.price_unit,
                o.quality_marks, CASE WHEN \(certified) THEN 1 ELSE 0 END AS certified,
                \(deepPoverty) AS deep,
                \(helped) AS helped, \(marks) AS marks_matched
            FROM offers o
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY helped DESC, deep DESC, marks_matched DESC, o.price_fen, o.id
            LIMIT \(bind: limit)
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
