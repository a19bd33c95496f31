import BangfuKit
import Fluent
import SQLKit

/// The public catalogue's index (`catalogue_listings`, `listing_terms`): the offers it shows today — certified and
/// valid, fresh, their supplier not barred — with what they are narrowed by and their `ListingTerms`. It follows every
/// write that can change what is shown (an offer saved, a certification step, a blacklist entry) in that write's
/// transaction; `sweep` drops what time has taken out (validity, freshness) and takes back suppliers whose bar ended.
/// Searches still check those conditions on the listing, so a late sweep costs speed, never correctness.
enum CatalogueListings {
    static let listings = "catalogue_listings"
    static let terms = "listing_terms"

    struct Visible: Decodable {
        let id: Int
        let supplierId: Int?
        let variety: String
        let category: String
        let regionCode: String
        let qualityMarks: String
        let priceFen: Int64
        let updatedOn: String
        let validUntil: String
    }
    static let decoder = SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase)

    /// Lists `ids` as they are today: shown ones written again, the others removed.
    static func sync(_ ids: [Int], today: LocalDate, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in ids.chunked(1_000) {
            let chunk = Array(chunk)
            if db.isPostgres {
                // Two writes listing one offer at once (a certification and an edit) take turns: SQLite's writers do.
                try await sql.raw("SELECT id FROM offers WHERE id IN (\(binds: chunk)) FOR UPDATE").run()
            }
            try await sql.delete(from: terms).where("offer_id", .in, chunk).run()
            try await sql.delete(from: listings).where("offer_id", .in, chunk).run()
            try await insert(try await visible("o.id IN (\(binds: chunk))", today: today, on: sql), on: db)
        }
        CatalogueGeneration.advance()
    }

    /// The listed offers of suppliers: after a blacklist entry is made, lifted or ends.
    static func sync(suppliers: [Int], today: LocalDate, on db: any Database) async throws {
        guard !suppliers.isEmpty else { return }
        let ids = try await (db as! any SQLDatabase).select().column("id").from(Offer.schema)
            .where("supplier_id", .in, suppliers).all(decodingColumn: "id", as: Int.self)
        try await sync(ids, today: today, on: db)
    }

    /// Drops listings whose certificate expired or whose offer went stale, and lists again the offers of suppliers
    /// whose bar ended in the last week (a lifted bar lists them at once): they show within the hour it ended.
    static func sweep(today: LocalDate, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let gone: SQLQueryString = """
            SELECT offer_id FROM catalogue_listings WHERE valid_until <= \(bind: today.description)
            OR updated_on <= \(bind: Freshness.freshSince(today).description)
            """
        try await sql.raw("DELETE FROM listing_terms WHERE offer_id IN (\(gone))").run()
        try await sql.raw("DELETE FROM catalogue_listings WHERE offer_id IN (\(gone))").run()
        CatalogueGeneration.advance()
        let barred = try await sql.select().distinct().column("supplier_id").from(BlacklistEntry.schema)
            .where("ends_on", .lessThanOrEqual, today.description)
            .where("ends_on", .greaterThan, today.adding(days: -7).description)
            .all(decodingColumn: "supplier_id", as: Int.self)
        try await sync(suppliers: barred, today: today, on: db)
    }

    /// Lists every offer afresh: after the migration that made the index, and after the demo's data.
    static func rebuild(on db: any Database, today: LocalDate) async throws {
        let sql = db as! any SQLDatabase
        try await sql.delete(from: terms).run()
        try await sql.delete(from: listings).run()
        struct Last: Decodable { let id: Int? }
        let last = try await sql.raw("SELECT MAX(id) AS id FROM offers").first(decoding: Last.self)?.id ?? 0
        for start in stride(from: 0, to: last, by: 10_000) {
            let range: SQLQueryString = "o.id > \(bind: start) AND o.id <= \(bind: start + 10_000)"
            try await insert(try await visible(range, today: today, on: sql), on: db)
        }
        // PostgreSQL plans by statistics it gathers later: planned on an empty index, a rare term's page read all.
        try await db.refreshStatistics(of: listings)
        try await db.refreshStatistics(of: terms)
        CatalogueGeneration.advance()
    }

    /// The offers shown today among those `condition` picks, with a certificate's latest validity.
    private static func visible(_ condition: SQLQueryString, today: LocalDate, on sql: any SQLDatabase) async throws
        -> [Visible] {
        let day = today.description
        let s: SQLQueryString = """
            SELECT o.id, o.supplier_id, o.variety, o.category, o.region_code, o.quality_marks, o.price_fen,
            o.updated_on, MAX(a.valid_until) AS valid_until FROM offers o
            JOIN product_applications a ON a.offer_id = o.id AND a.state = 'certified' AND a.valid_until > \(bind: day)
            WHERE o.updated_on > \(bind: Freshness.freshSince(today).description) AND \(Blacklist.notListed(today))
            AND \(condition) GROUP BY o.id
            """
        return try await sql.raw(s).all(decoding: Visible.self, with: decoder)
    }

    /// Written as an import's rows are (`BulkRows`): a rebuild lists a province's million offers and their terms.
    private static func insert(_ rows: [Visible], on db: any Database) async throws {
        let listed = rows.map { v -> [BulkRows.Cell] in
            [.int(v.id), .int(v.supplierId), .text(SearchTerms.normalise(v.variety)), .text(v.category),
             .text(v.regionCode), .text("," + v.qualityMarks + ","), .int(Int(v.priceFen)), .text(v.updatedOn),
             .text(v.validUntil)]
        }
        try await BulkRows.write(listed, into: listings, columns: [
            "offer_id", "supplier_id", "name_key", "category", "region_code", "marks", "price_fen", "updated_on",
            "valid_until",
        ], on: db)
        let termRows = rows.flatMap { v in
            termsOf(v).sorted().map { term -> [BulkRows.Cell] in
                [.text(term), .text(v.updatedOn), .int(Int(v.priceFen)), .int(v.id)]
            }
        }
        try await BulkRows.write(termRows, into: terms, columns: ["term", "updated_on", "price_fen", "offer_id"],
                                 on: db)
    }

    private static func termsOf(_ v: Visible) -> Set<String> {
        let marks = v.qualityMarks.split(separator: ",").compactMap { QualityMark(rawValue: String($0)) }
        return ListingTerms.of(variety: v.variety, category: ProductCategory(rawValue: v.category) ?? .other,
                               region: RegionCode(v.regionCode), marks: marks)
    }
}
