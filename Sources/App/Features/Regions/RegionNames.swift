import BangfuKit
import Fluent
import SQLKit

enum RegionNames {
    /// "云阳县龙角镇示例村" for each code, from the codes' ancestors.
    static func places(for codes: [String], on db: any Database) async throws -> [String: String] {
        let wanted = Set(codes.compactMap(RegionCode.init).flatMap { c in
            ([c] + RegionCode.Level.allCases.compactMap { c.ancestor(at: $0) }).map(\.digits)
        })
        guard !wanted.isEmpty else { return [:] }
        // Two columns through SQLKit, not models: a page of matches names a few hundred places.
        var names: [String: String] = [:]
        let rows = try await (db as! any SQLDatabase).select().columns("code", "name").from(Region.schema)
            .where("code", .in, Array(wanted)).all()
        for row in rows {
            names[try row.decode(column: "code", as: String.self)] = try row.decode(column: "name", as: String.self)
        }
        return Dictionary(uniqueKeysWithValues: Set(codes).compactMap { code -> (String, String)? in
            guard let c = RegionCode(code) else { return nil }
            let parts = ([RegionCode.Level.county, .township].compactMap { c.ancestor(at: $0) } + [c])
                .compactMap { names[$0.digits] }
            return (code, parts.joined())
        })
    }
}
