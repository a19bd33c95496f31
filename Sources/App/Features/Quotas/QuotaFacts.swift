import BangfuKit
import Fluent
import SQLKit

/// Loads what the rule engine reads, from the rollups and the registers — never from the raw ledger.
enum QuotaFacts {
    static func load(_ policy: Policy, on db: any Database) async throws -> Facts {
        let prefix = policy.jurisdiction.subtreePrefix
        let units = try await BuyerUnit.query(on: db).filter(\.$regionCode =~ prefix).all()
        let pairings = try await Pairing.query(on: db).all()
        let helps = Dictionary(grouping: pairings.filter { $0.$helperUnit.id != nil }) { $0.$helperUnit.id! }
        let declarations = try await DeclarationRecord.query(on: db).filter(\.$year == policy.year)
            .filter(\.$buyerUnit.$id ~~ units.compactMap(\.id)).all()
        return Facts(
            units: units.map { u in
                UnitFacts(id: u.id!, name: u.name, kind: BuyerKind(rawValue: u.kind) ?? .publicInstitution, region: RegionCode(u.regionCode)!,
                          isBudgetUnit: u.isBudgetUnit, hasCanteen: u.hasCanteen, hasFiveIntoDuty: u.hasFiveIntoDuty,
                          helpLevel: u.helpLevel.flatMap(HelpLevel.init(rawValue:)),
                          helps: (helps[u.id!] ?? []).compactMap { RegionCode($0.helpedRegionCode) })
            },
            declarations: declarations.compactMap { d in
                DeclarationKind(rawValue: d.kind).map { Declaration(unitID: d.$buyerUnit.id, kind: $0, value: d.value) }
            },
            countyPairings: pairings.filter { $0.kind == PairingKind.countyToCounty.rawValue }.compactMap { p in
                guard let h = p.helperRegionCode.flatMap(RegionCode.init), let d = RegionCode(p.helpedRegionCode) else { return nil }
                return CountyPairing(helper: h, helped: d)
            },
            unitBuckets: try await unitBuckets(year: policy.year, through: "\(policy.year)-12", on: db),
            placeBuckets: try await placeBuckets(year: policy.year, through: "\(policy.year)-12", on: db),
            helpedBuckets: try await buckets(year: policy.year, through: "\(policy.year)-12", units: Set(helps.keys), on: db))
    }

    struct Row: Decodable {
        let month: String, unit: Int?, buyer: String?, township: String?, deep: Bool?, channel: String, purpose: String, amount: Int64
        var bucket: Bucket {
            Bucket(month: month, unitID: unit ?? 0, buyerRegion: buyer ?? "", originTownship: township ?? "", deepPoverty: deep ?? false,
                   channel: channel, purpose: purpose, amountFen: amount)
        }
    }

    /// Counted amounts by unit, of a year through a month, summed in the database.
    static func unitBuckets(year: Int, through month: String, on db: any Database) async throws -> [Bucket] {
        try await (db as! any SQLDatabase).raw("""
            SELECT month, buyer_unit_id AS unit, buyer_region_code AS buyer, channel_code AS channel, purpose,
                CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM unit_rollups WHERE counted = \(bind: true) AND month >= \(bind: "\(year)-01") AND month <= \(bind: month)
            GROUP BY month, buyer_unit_id, buyer_region_code, channel_code, purpose
            """).all(decoding: Row.self).map(\.bucket)
    }

    /// Counted amounts by origin township and buyer county.
    static func placeBuckets(year: Int, through month: String, on db: any Database) async throws -> [Bucket] {
        try await (db as! any SQLDatabase).raw("""
            SELECT month, buyer_county AS buyer, origin_township AS township, deep_poverty AS deep, channel_code AS channel, purpose,
                CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM place_rollups WHERE counted = \(bind: true) AND month >= \(bind: "\(year)-01") AND month <= \(bind: month)
            GROUP BY month, buyer_county, origin_township, deep_poverty, channel_code, purpose
            """).all(decoding: Row.self).map(\.bucket)
    }

    /// The finest grain, only for the units named (those whose rules count purchases from the places they help).
    static func buckets(year: Int, through month: String, units: Set<Int>, on db: any Database) async throws -> [Bucket] {
        guard !units.isEmpty else { return [] }
        return try await (db as! any SQLDatabase).raw("""
            SELECT month, buyer_unit_id AS unit, buyer_region_code AS buyer, origin_township AS township, deep_poverty AS deep,
                channel_code AS channel, purpose, CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM purchase_rollups WHERE counted = \(bind: true) AND month >= \(bind: "\(year)-01") AND month <= \(bind: month)
                AND buyer_unit_id IN (\(binds: Array(units)))
            GROUP BY month, buyer_unit_id, buyer_region_code, origin_township, deep_poverty, channel_code, purpose
            """).all(decoding: Row.self).map(\.bucket)
    }

    /// The policies in force over a region in a year: its own and those of the places above it.
    static func policies(covering region: RegionCode, year: Int, on db: any Database) async throws -> [PolicyRecord] {
        let codes = RegionCode.Level.allCases.compactMap { region.ancestor(at: $0)?.digits } + [region.digits]
        return try await PolicyRecord.query(on: db).filter(\.$year == year).filter(\.$jurisdictionCode ~~ codes).sort(\.$id).all()
    }
}
