import BangfuKit
import Fluent
import SQLKit

/// The public catalogue's own index: the offers it shows, each with what it is narrowed by, and their terms with the
/// orders it shows them in, so that a page walks one term's entries in order however many match. Replaces the offer
/// terms every offer had (only listed offers are searched). Offers keep a keyed fingerprint of their line: a
/// re-import finds an unchanged line by comparing it, without reading the offer.
struct CreateCatalogueListings: AsyncMigration {
    /// The application's today (a demo's fixed day too), by which the index is first written.
    let today: LocalDate

    func prepare(on db: any Database) async throws {
        try await db.schema(Offer.schema).field("content_hash", .string).update()
        try await db.schema(CatalogueListings.listings)
            .field("offer_id", .int, .identifier(auto: false))
            .field("supplier_id", .int)
            .field("name_key", .string, .required)
            .field("category", .string, .required)
            .field("region_code", .string, .required)
            .field("marks", .string, .required)
            .field("price_fen", .int64, .required)
            .field("updated_on", .string, .required)
            .field("valid_until", .string, .required)
            .create()
        try await db.index("listings_supplier", on: CatalogueListings.listings, "supplier_id")
        try await db.schema(CatalogueListings.terms)
            .field("term", .string, .required)
            .field("updated_on", .string, .required)
            .field("price_fen", .int64, .required)
            .field("offer_id", .int, .required)
            .create()
        // Newest first walks the first backwards; by price, the second either way.
        try await db.index("listing_terms_newest", on: CatalogueListings.terms, "term", "updated_on", "offer_id")
        try await db.index("listing_terms_price", on: CatalogueListings.terms, "term", "price_fen", "offer_id")
        try await db.index("listing_terms_offer", on: CatalogueListings.terms, "offer_id")
        try await db.schema("offer_terms").delete()
        // 公示 in the order it is listed.
        try await db.index("applications_publicity", on: ProductApplication.schema, "state", "publicity_ends")
        try await CatalogueListings.rebuild(on: db, today: today)
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.drop(index: "applications_publicity").run()
        try await db.schema(CatalogueListings.terms).delete()
        try await db.schema(CatalogueListings.listings).delete()
        try await db.schema(Offer.schema).deleteField("content_hash").update()
        try await db.schema("offer_terms")
            .field(.id, .int, .identifier(auto: true))
            .field("term", .string, .required)
            .field("offer_id", .int, .required, .references(Offer.schema, .id, onDelete: .cascade))
            .create()
        try await db.index("offer_terms_term", on: "offer_terms", "term", "offer_id")
        try await db.index("offer_terms_offer", on: "offer_terms", "offer_id")
        try await restoreOfferTerms(sql)
    }

    /// Every offer's terms as the version before this one kept them.
    private func restoreOfferTerms(_ sql: any SQLDatabase) async throws {
        struct Line: Decodable { let id: Int; let variety: String }
        let lines = try await sql.select().columns("id", "variety").from(Offer.schema).all(decoding: Line.self)
        let rows = lines.flatMap { line in
            SearchTerms.of(line.variety).map { term -> [any SQLExpression] in [SQLBind(term), SQLBind(line.id)] }
        }
        for chunk in rows.chunked(2_000) {
            try await sql.insert(into: "offer_terms").columns("term", "offer_id").rows(Array(chunk)).run()
        }
    }
}
