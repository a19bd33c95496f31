import BangfuKit
import Fluent
import SQLKit

/// What an offer's place makes it: 原深度贫困 when its place or any place above it is. Kept on the offer (set when it
/// is saved, refreshed for all after a region import changes flags) so that matching can walk the catalogue in
/// tier and price order through one index instead of looking up five places for every offer of a variety.
enum OfferFlags {
    static var deepPoverty: SQLQueryString {
        """
        CASE WHEN EXISTS (SELECT 1 FROM regions r WHERE r.is_deep_poverty = \(bind: true) AND r.code IN (
            offers.region_code, substr(offers.region_code, 1, 9) || '000', substr(offers.region_code, 1, 6) || '000000',
            substr(offers.region_code, 1, 4) || '00000000', substr(offers.region_code, 1, 2) || '0000000000'))
        THEN \(bind: true) ELSE \(bind: false) END
        """
    }

    /// Which of `places` are 原深度贫困 or lie under a place that is, as `deepPoverty` tells a saved offer:
    /// one lookup for a file's places, so that its new offers are written with their flag.
    static func deepPoverty(among places: Set<RegionCode>, on db: any Database) async throws -> Set<RegionCode> {
        let lineage = Set(places.flatMap(\.selfAndAncestors).map(\.digits))
        var flagged: Set<String> = []
        for chunk in Array(lineage).chunked(1_000) {
            let codes = try await (db as! any SQLDatabase).select().column("code").from(Region.schema)
                .where("is_deep_poverty", .equal, true)
                .where("code", .in, Array(chunk))
                .all(decodingColumn: "code", as: String.self)
            flagged.formUnion(codes)
        }
        return places.filter { $0.selfAndAncestors.contains { flagged.contains($0.digits) } }
    }

    /// Sets the flag of `ids` (nil: of every offer).
    static func refresh(on db: any Database, ids: [Int]? = nil) async throws {
        let sql = db as! any SQLDatabase
        guard let ids else {
            return try await sql.raw("UPDATE offers SET deep_poverty = \(deepPoverty)").run()
        }
        for chunk in ids.chunked(5_000) {
            try await sql.raw("UPDATE offers SET deep_poverty = \(deepPoverty) WHERE id IN (\(binds: Array(chunk)))")
                .run()
        }
    }
}

/// The flag and the indexes matching walks: variety, then 原深度贫困 first, then price; a variety's offers in a
/// place; a unit's pairings.
struct AddOfferDeepPoverty: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(Offer.schema).field("deep_poverty", .bool, .required, .sql(.default(false))).update()
        try await OfferFlags.refresh(on: db)
        let sql = db as! any SQLDatabase
        try await sql.raw("DROP INDEX offers_by_variety").run()
        try await sql.raw("CREATE INDEX offers_for_needs ON offers (variety, deep_poverty DESC, price_fen, id)").run()
        try await db.index("offers_by_variety_place", on: Offer.schema, "variety", "region_code")
        try await db.index("pairings_by_helper", on: Pairing.schema, "helper_unit_id")
    }

    func revert(on db: any Database) async throws {
        for index in ["offers_for_needs", "offers_by_variety_place", "pairings_by_helper"] {
            try await (db as! any SQLDatabase).raw("DROP INDEX \(ident: index)").run()
        }
        try await db.schema(Offer.schema).deleteField("deep_poverty").update()
    }
}
