import BangfuKit
import Fluent
import SQLKit

/// Loads what the rule engine reads, from the rollups and the registers — never from the raw ledger — summed
/// in SQL over the months a policy counts through a day, so that its size follows units and places, not rows.
enum QuotaFacts {
    /// `only`: the units the caller may see (a unit, a lead system), so that a unit's page reads its own rows
    /// of the rollups, not the whole jurisdiction's; nil for an office.
    static func load(_ policy: Policy, asOf: LocalDate, only: Set<Int>? = nil, on db: any Database) async throws -> Facts {
        let prefix = policy.jurisdiction.subtreePrefix
        func among(_ column: String) -> SQLQueryString {
            guard let only else { return "" }
            return only.isEmpty ? "AND 1 = 0" : "AND \(ident: column) IN (\(binds: Array(only)))"
        }
        let sql = db as! any SQLDatabase
        struct UnitRow: Decodable {
            let id: Int, name: String, kind: String, region_code: String, is_budget_unit: Bool, has_canteen: Bool
            let has_five_into_duty: Bool, help_level: String?
        }
        let units = try await sql.raw("""
            SELECT id, name, kind, region_code, is_budget_unit, has_canteen, has_five_into_duty, help_level
            FROM buyer_units WHERE region_code LIKE \(bind: prefix + "%") \(among("id"))
            """).all(decoding: UnitRow.self)
        let pairings = try await Pairing.query(on: db).all()
        let helps = Dictionary(grouping: pairings.filter { $0.$helperUnit.id != nil }) { $0.$helperUnit.id! }
        struct DeclarationRow: Decodable { let buyer_unit_id: Int; let kind: String; let value: Int64 }
        let declarations = try await sql.raw("""
            SELECT buyer_unit_id, kind, value FROM declarations
            WHERE year = \(bind: policy.year) AND buyer_region_code LIKE \(bind: prefix + "%") \(among("buyer_unit_id"))
            """).all(decoding: DeclarationRow.self)
        // Only the grains the policy's rules read.
        var unitBuckets: [Bucket] = [], placeBuckets: [Bucket] = [], helpedBuckets: [Bucket] = []
        let kinds = Set(policy.rules.map(\.kind))
        if let range = policy.countedMonths(through: asOf) {
            if policy.rules.contains(where: { [.share, .levelMinimum, .perMember].contains($0.kind) && !$0.fromHelpedPlaces }) {
                unitBuckets = try await self.unitBuckets(months: range, prefix: prefix, among: among("buyer_unit_id"), on: db)
            }
            if !kinds.isDisjoint(with: [.pairingTotal, .jurisdictionTotal]) { placeBuckets = try await self.placeBuckets(months: range, on: db) }
            if policy.rules.contains(where: \.fromHelpedPlaces) {
                helpedBuckets = try await self.helpedBuckets(months: range, units: Set(helps.keys).intersection(only ?? Set(helps.keys)), on: db)
            }
        }
        return Facts(
            units: units.map { u in
                UnitFacts(id: u.id, name: u.name, kind: BuyerKind(rawValue: u.kind) ?? .publicInstitution, region: RegionCode(u.region_code)!,
                          isBudgetUnit: u.is_budget_unit, hasCanteen: u.has_canteen, hasFiveIntoDuty: u.has_five_into_duty,
                          helpLevel: u.help_level.flatMap(HelpLevel.init(rawValue:)),
                          helps: (helps[u.id] ?? []).compactMap { RegionCode($0.helpedRegionCode) })
            },
            declarations: declarations.compactMap { d in DeclarationKind(rawValue: d.kind).map { Declaration(unitID: d.buyer_unit_id, kind: $0, value: d.value) } },
            countyPairings: pairings.filter { $0.kind == PairingKind.countyToCounty.rawValue }.compactMap { p in
                guard let h = p.helperRegionCode.flatMap(RegionCode.init), let d = RegionCode(p.helpedRegionCode) else { return nil }
                return CountyPairing(helper: h, helped: d)
            },
            unitBuckets: unitBuckets, placeBuckets: placeBuckets, helpedBuckets: helpedBuckets)
    }

    /// One summed bucket; months already filtered in SQL carry the range's last month.
    struct Row: Decodable {
        let unit: Int?, buyer: String?, origin: String?, deep: Bool?, channel: String, purpose: String, amount: Int64
        func bucket(_ month: String) -> Bucket {
            Bucket(month: month, unitID: unit ?? 0, buyerRegion: buyer ?? "", originTownship: origin ?? "", deepPoverty: deep ?? false,
                   channel: channel, purpose: purpose, amountFen: amount)
        }
    }

    /// Counted amounts per unit of the jurisdiction, by channel and purpose, over the months.
    static func unitBuckets(months: ClosedRange<String>, prefix: String, among: SQLQueryString = "", on db: any Database) async throws -> [Bucket] {
        try await (db as! any SQLDatabase).raw("""
            SELECT buyer_unit_id AS unit, buyer_region_code AS buyer, channel_code AS channel, purpose, CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM unit_rollups WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
                AND buyer_region_code LIKE \(bind: prefix + "%") \(among)
            GROUP BY buyer_unit_id, buyer_region_code, channel_code, purpose
            """).all(decoding: Row.self).map { $0.bucket(months.upperBound) }
    }

    /// Counted amounts by buyer county and origin county (policies are made by counties and the places above them).
    static func placeBuckets(months: ClosedRange<String>, on db: any Database) async throws -> [Bucket] {
        try await (db as! any SQLDatabase).raw("""
            SELECT buyer_county AS buyer, origin_county AS origin, deep_poverty AS deep, channel_code AS channel, purpose,
                CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM county_rollups WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
            GROUP BY buyer_county, origin_county, deep_poverty, channel_code, purpose
            """).all(decoding: Row.self).map { $0.bucket(months.upperBound) }
    }

    /// The finest grain, only for the units named (those whose rules count purchases from the places they help).
    static func helpedBuckets(months: ClosedRange<String>, units: Set<Int>, on db: any Database) async throws -> [Bucket] {
        guard !units.isEmpty else { return [] }
        return try await (db as! any SQLDatabase).raw("""
            SELECT buyer_unit_id AS unit, buyer_region_code AS buyer, origin_township AS origin, deep_poverty AS deep,
                channel_code AS channel, purpose, CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM purchase_rollups WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
                AND buyer_unit_id IN (\(binds: Array(units)))
            GROUP BY buyer_unit_id, buyer_region_code, origin_township, deep_poverty, channel_code, purpose
            """).all(decoding: Row.self).map { $0.bucket(months.upperBound) }
    }

    /// A bulletin's totals: counted amounts bought in or coming from the jurisdiction, by month, channel, purpose
    /// and deep poverty (a few hundred rows whatever the ledger's size).
    static func jurisdictionTotals(prefix: String, months: ClosedRange<String>, on db: any Database) async throws -> [Bucket] {
        struct MonthRow: Decodable { let month: String; let deep: Bool; let channel: String; let purpose: String; let amount: Int64 }
        let (amount, inOrFrom) = Rollups.inOrFrom(prefix: prefix)
        return try await (db as! any SQLDatabase).raw("""
            SELECT month, deep_poverty AS deep, channel_code AS channel, purpose, CAST(\(amount) AS BIGINT) AS amount
            FROM region_rollups WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
                AND \(inOrFrom)
            GROUP BY month, deep_poverty, channel_code, purpose
            """).all(decoding: MonthRow.self).map {
            Bucket(month: $0.month, unitID: 0, buyerRegion: "", originTownship: "", deepPoverty: $0.deep, channel: $0.channel,
                   purpose: $0.purpose, amountFen: $0.amount)
        }
    }

    /// The policies in force over a region in a year: its own and those of the places above it.
    static func policies(covering region: RegionCode, year: Int, on db: any Database) async throws -> [PolicyRecord] {
        let codes = RegionCode.Level.allCases.compactMap { region.ancestor(at: $0)?.digits } + [region.digits]
        return try await PolicyRecord.query(on: db).filter(\.$year == year).filter(\.$jurisdictionCode ~~ codes).sort(\.$id).all()
    }
}
