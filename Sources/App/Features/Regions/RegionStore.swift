import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Loads region files: all rows or none, inserting new codes and updating known ones in one transaction.
enum RegionStore {
    struct Summary: Content, Equatable { let created: Int; let updated: Int }

    static func importCSV(_ text: String, on db: any Database, by origin: Audit.Origin) async throws -> Summary {
        let known = Set(try await Region.query(on: db).all(\.$id).compactMap { $0 })
        let records = try RegionFile.parse(text, known: known)
        return try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            var created = 0
            for batch in stride(from: 0, to: records.count, by: 400).map({ records[$0..<min($0 + 400, records.count)] }) {
                let fresh = batch.filter { !known.contains($0.code.digits) }
                created += fresh.count
                if !fresh.isEmpty {
                    try await sql.insert(into: Region.schema)
                        .columns("code", "name", "level", "parent_code", "is_lifted_county", "is_deep_poverty",
                                 "is_helped_village", "is_illustrative")
                        .rows(fresh.map(row))
                        .run()
                }
                for r in batch where known.contains(r.code.digits) {
                    try await sql.update(Region.schema)
                        .set("name", to: r.name).set("parent_code", to: r.parent?.digits)
                        .set("is_lifted_county", to: r.flags.contains(.liftedCounty))
                        .set("is_deep_poverty", to: r.flags.contains(.deepPoverty))
                        .set("is_helped_village", to: r.flags.contains(.helpedVillage))
                        .set("is_illustrative", to: r.flags.contains(.illustrative))
                        .where("code", .equal, r.code.digits)
                        .run()
                }
            }
            let summary = Summary(created: created, updated: records.count - created)
            // A place's flags may have changed: the offers there follow.
            try await OfferFlags.refresh(on: tx)
            try await Audit.record(origin, on: tx, action: "import", entity: "region", id: nil, region: nil, after: summary)
            return summary
        }
    }

    private static func row(_ r: RegionRecord) -> [any SQLExpression] {
        [SQLBind(r.code.digits), SQLBind(r.name), SQLBind(r.code.level.rawValue), SQLBind(r.parent?.digits),
         SQLBind(r.flags.contains(.liftedCounty)), SQLBind(r.flags.contains(.deepPoverty)),
         SQLBind(r.flags.contains(.helpedVillage)), SQLBind(r.flags.contains(.illustrative))]
    }

    /// The national file shipped with the app (provinces, cities, counties).
    static func nationalFile(_ directory: DirectoryConfiguration) throws -> String {
        try String(contentsOfFile: directory.resourcesDirectory + "Data/regions-national.csv", encoding: .utf8)
    }
}
