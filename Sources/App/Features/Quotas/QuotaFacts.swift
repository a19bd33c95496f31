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
        // Only confirmed pairings count; units above the jurisdiction helping places in it are bound by its policy.
        let pairings = try await Pairing.query(on: db).filter(\.$status == Pairing.confirmed).all()
        let bound = Array(Set(pairings.filter { $0.helpedRegionCode.hasPrefix(prefix) }.compactMap(\.$helperUnit.id)))
        func inside(_ region: String, _ unit: String) -> SQLQueryString {
            let here: SQLQueryString = "\(ident: region) LIKE \(bind: prefix + "%")"
            return bound.isEmpty ? "(\(here))" : "(\(here) OR \(ident: unit) IN (\(binds: bound)))"
        }
        // The registers and the rollups are read at once, each on its own connection.
        async let units = sql.raw("""
            SELECT id, name, kind, region_code, is_budget_unit, has_canteen, has_five_into_duty, help_level
            FROM buyer_units WHERE \(inside("region_code", "id")) \(among("id"))
            """).all(reading: UnitRow.self)
        async let declarations = sql.raw("""
            SELECT buyer_unit_id, kind, value FROM declarations
            WHERE year = \(bind: policy.year) AND \(inside("buyer_region_code", "buyer_unit_id")) \(among("buyer_unit_id"))
            """).all(reading: DeclarationRow.self)
        let helps = Dictionary(grouping: pairings.filter { $0.$helperUnit.id != nil }) { $0.$helperUnit.id! }
        // Only the grains the policy's rules read.
        let kinds = Set(policy.rules.map(\.kind)), range = policy.countedMonths(through: asOf)
        let byUnit = range != nil && policy.rules.contains(where: { [.share, .levelMinimum, .perMember].contains($0.kind) && !$0.fromHelpedPlaces })
        let byPlace = range != nil && !kinds.isDisjoint(with: [.pairingTotal, .jurisdictionTotal])
        let helped = range != nil && policy.rules.contains(where: \.fromHelpedPlaces)
        async let unitBuckets = byUnit ? self.unitBuckets(months: range!,
                                                          within: inside("buyer_region_code", "buyer_unit_id"),
                                                          among: among("buyer_unit_id"), on: db) : []
        async let placeBuckets = byPlace ? self.placeBuckets(months: range!, on: db) : []
        let helpedBuckets = helped ? try await self.helpedBuckets(months: range!, units: Set(helps.keys).intersection(only ?? Set(helps.keys)), on: db) : []
        return Facts(
            units: try await units.map { u in
                UnitFacts(id: u.id, name: u.name, kind: BuyerKind(rawValue: u.kind) ?? .publicInstitution, region: RegionCode(u.region_code)!,
                          isBudgetUnit: u.is_budget_unit, hasCanteen: u.has_canteen, hasFiveIntoDuty: u.has_five_into_duty,
                          helpLevel: u.help_level.flatMap(HelpLevel.init(rawValue:)),
                          helps: (helps[u.id] ?? []).compactMap(\.countedPlace))
            },
            declarations: try await declarations.compactMap { d in DeclarationKind(rawValue: d.kind).map { Declaration(unitID: d.buyer_unit_id, kind: $0, value: d.value) } },
            countyPairings: pairings.filter { $0.kind == PairingKind.countyToCounty.rawValue }.compactMap { p in
                guard let h = p.helperRegionCode.flatMap(RegionCode.init), let d = RegionCode(p.helpedRegionCode) else { return nil }
                return CountyPairing(helper: h, helped: d)
            },
            unitBuckets: try await unitBuckets, placeBuckets: try await placeBuckets, helpedBuckets: helpedBuckets)
    }

    struct UnitRow: RowDecodable {
        let id: Int, name: String, kind: String, region_code: String, is_budget_unit: Bool, has_canteen: Bool
        let has_five_into_duty: Bool, help_level: String?
        init(row: any SQLRow) throws {
            id = try row.get("id"); name = try row.get("name"); kind = try row.get("kind"); region_code = try row.get("region_code")
            is_budget_unit = try row.get("is_budget_unit"); has_canteen = try row.get("has_canteen")
            has_five_into_duty = try row.get("has_five_into_duty"); help_level = try row.get("help_level")
        }
    }

    struct DeclarationRow: RowDecodable {
        let buyer_unit_id: Int, kind: String, value: Int64
        init(row: any SQLRow) throws { buyer_unit_id = try row.get("buyer_unit_id"); kind = try row.get("kind"); value = try row.get("value") }
    }

    /// One summed bucket; months already filtered in SQL carry the range's last month.
    struct Row: RowDecodable {
        let unit: Int?, buyer: String?, origin: String?, deep: Bool?, channel: String, purpose: String, amount: Int64
        init(row: any SQLRow) throws {
            func optional<T: Decodable>(_ column: String) throws -> T? { row.contains(column: column) ? try row.get(column) : nil }
            unit = try optional("unit"); buyer = try optional("buyer"); origin = try optional("origin"); deep = try optional("deep")
            channel = try row.get("channel"); purpose = try row.get("purpose"); amount = try row.get("amount")
        }
        func bucket(_ month: String) -> Bucket {
            Bucket(month: month, unitID: unit ?? 0, buyerRegion: buyer ?? "",
                   origin: origin ?? "", deepPoverty: deep ?? false,
                   channel: channel, purpose: purpose, amountFen: amount)
        }
    }

    /// Counted amounts per unit of the jurisdiction (`within`: the units it binds), by channel and purpose, over the
    /// months.
    static func unitBuckets(months: ClosedRange<String>, within: SQLQueryString, among: SQLQueryString = "",
                            on db: any Database) async throws -> [Bucket] {
        try await (db as! any SQLDatabase).raw("""
            SELECT buyer_unit_id AS unit, buyer_region_code AS buyer, channel_code AS channel, purpose, CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM unit_rollups WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
                AND \(within) \(among)
            GROUP BY buyer_unit_id, buyer_region_code, channel_code, purpose
            """).all(reading: Row.self).map { $0.bucket(months.upperBound) }
    }

    /// Counted amounts by buyer county and origin county (policies are made by counties and the places above them).
    static func placeBuckets(months: ClosedRange<String>, on db: any Database) async throws -> [Bucket] {
        try await (db as! any SQLDatabase).raw("""
            SELECT buyer_county AS buyer, origin_county AS origin, deep_poverty AS deep, channel_code AS channel, purpose,
                CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM county_rollups WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
            GROUP BY buyer_county, origin_county, deep_poverty, channel_code, purpose
            """).all(reading: Row.self).map { $0.bucket(months.upperBound) }
    }

    /// By origin village, only for the units named (those whose rules count purchases from the places they
    /// help): a pairing names a village, and the rollups know origins only by township. Read from the ledger
    /// through its index on the buyer, so its cost follows those few units' rows, not the ledger's size.
    static func helpedBuckets(months: ClosedRange<String>, units: Set<Int>, on db: any Database) async throws -> [Bucket] {
        guard !units.isEmpty else { return [] }
        return try await (db as! any SQLDatabase).raw("""
            SELECT buyer_unit_id AS unit, buyer_region_code AS buyer, origin_region_code AS origin, from_deep_poverty AS deep,
                channel_code AS channel, purpose, CAST(SUM(amount_fen) AS BIGINT) AS amount
            FROM purchases WHERE buyer_unit_id IN (\(binds: Array(units)))
                AND booked_on >= \(bind: months.lowerBound + "-01") AND booked_on <= \(bind: months.upperBound + "-31")
                AND \(unsafeRaw: Rollups.counted)
            GROUP BY buyer_unit_id, buyer_region_code, origin_region_code, from_deep_poverty, channel_code, purpose
            """).all(reading: Row.self).map { $0.bucket(months.upperBound) }
    }

    /// A bulletin's totals: counted amounts bought in or coming from the jurisdiction, by month, channel, purpose
    /// and deep poverty (a few hundred rows whatever the ledger's size).
    static func jurisdictionTotals(prefix: String, months: ClosedRange<String>, on db: any Database) async throws -> [Bucket] {
        struct MonthRow: Decodable { let month: String; let deep: Bool; let channel: String; let purpose: String; let amount: Int64 }
        return try await (db as! any SQLDatabase).raw("""
            SELECT month, deep_poverty AS deep, channel_code AS channel, purpose, CAST(\(Rollups.inOrFromSum("amount_fen")) AS BIGINT) AS amount
            FROM region_rollups WHERE counted = \(bind: true) AND month >= \(bind: months.lowerBound) AND month <= \(bind: months.upperBound)
                AND \(Rollups.inOrFrom(prefix: prefix))
            GROUP BY month, deep_poverty, channel_code, purpose
            """).all(decoding: MonthRow.self).map {
            Bucket(month: $0.month, unitID: 0, buyerRegion: "", origin: "", deepPoverty: $0.deep, channel: $0.channel,
                   purpose: $0.purpose, amountFen: $0.amount)
        }
    }

    /// The policies in force over a region in a year: its own and those of the places above it.
    static func policies(covering region: RegionCode, year: Int, on db: any Database) async throws -> [PolicyRecord] {
        let codes = RegionCode.Level.allCases.compactMap { region.ancestor(at: $0)?.digits } + [region.digits]
        return try await PolicyRecord.query(on: db).filter(\.$year == year).filter(\.$jurisdictionCode ~~ codes).sort(\.$id).all()
    }
}
