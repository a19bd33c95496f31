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
            buckets: try await buckets(year: policy.year, through: "\(policy.year)-12", on: db))
    }

    /// Counted rollup amounts of a year, through a month, summed in the database.
    static func buckets(year: Int, through month: String, on db: any Database) async throws -> [Bucket] {
        struct Row: Decodable {
            let month: String, buyer_unit_id: Int, buyer_region_code: String, origin_township: String
            let deep_poverty: Bool, channel_code: String, purpose: String, amount: Int64
        }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT month, buyer_unit_id, buyer_region_code, origin_township, deep_poverty, channel_code, purpose, CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM purchase_rollups WHERE counted = \(bind: true) AND month >= \(bind: "\(year)-01") AND month <= \(bind: month)
            GROUP BY month, buyer_unit_id, buyer_region_code, origin_township, deep_poverty, channel_code, purpose
            """).all(decoding: Row.self)
        return rows.map {
            Bucket(month: $0.month, unitID: $0.buyer_unit_id, buyerRegion: $0.buyer_region_code, originTownship: $0.origin_township,
                   deepPoverty: $0.deep_poverty, channel: $0.channel_code, purpose: $0.purpose, amountFen: $0.amount)
        }
    }

    /// The policies in force over a region in a year: its own and those of the places above it.
    static func policies(covering region: RegionCode, year: Int, on db: any Database) async throws -> [PolicyRecord] {
        let codes = RegionCode.Level.allCases.compactMap { region.ancestor(at: $0)?.digits } + [region.digits]
        return try await PolicyRecord.query(on: db).filter(\.$year == year).filter(\.$jurisdictionCode ~~ codes).sort(\.$id).all()
    }
}
