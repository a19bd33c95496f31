/// 季度通报: what an office publishes each quarter (seeds 000, 003) — rankings by completion, who met and
/// who fell behind each rule, totals by channel and purpose, the deep-poverty share and households reached.
/// Built from rule progress and rollup buckets only; published as a frozen snapshot.
public struct Bulletin: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable { public let key: String, name: String, amountFen: Int64 }
    public struct Rank: Codable, Sendable, Equatable {
        public let rank: Int, name: String, region: String, completionBP: Int, met: Int, rules: Int, amountFen: Int64
    }
    public struct Outcome: Codable, Sendable, Equatable {
        public let ruleCode: String, ruleName: String
        public let ahead: [String], behind: [String], undeclared: [String]
    }

    public let title: String
    public let jurisdiction: String
    public let year: Int, quarter: Int
    public let asOf: LocalDate
    public let paceBP: Int
    public let quarterFen: Int64, yearFen: Int64
    public let byChannel: [Line], byPurpose: [Line]
    public let deepPovertyFen: Int64, deepPovertyShareBP: Int
    public let householdsReached: Int
    public let units: [Rank], counties: [Rank]
    public let outcomes: [Outcome]
    public let targets: [RuleProgress]
    /// The year's counted amount by month, for the trend chart (absent from bulletins published before it).
    public var byMonth: [Line]? = nil
    /// 可溯源率 of the quarter as its last reconciliation left it ("54.55%"), kept as published.
    public var traceability: String? = nil
}

public enum BulletinBuilder {
    public struct Names: Sendable {
        public let units: [Int: String], regions: [String: String], channels: [String: String]
        public init(units: [Int: String], regions: [String: String], channels: [String: String]) {
            self.units = units; self.regions = regions; self.channels = channels
        }
    }

    /// `places` and `units` are the counted rollups (place and unit grain) of the jurisdiction's year through the quarter's end.
    public static func build(title: String, jurisdiction: RegionCode, year: Int, quarter: Int, asOf: LocalDate, paceBP: Int,
                             progress: [RuleProgress], places buckets: [Bucket], units unitBuckets: [Bucket],
                             householdsReached: Int, names: Names) -> Bulletin {
        let period = ReportingPeriod.quarter(year, quarter)
        let yearFen = buckets.reduce(0) { $0 + $1.amountFen }
        let quarterFen = buckets.filter { period.months.contains($0.month) }.reduce(0) { $0 + $1.amountFen }
        let deep = buckets.filter(\.deepPoverty).reduce(0) { $0 + $1.amountFen }
        func lines(_ key: (Bucket) -> String, _ name: (String) -> String) -> [Bulletin.Line] {
            Dictionary(grouping: buckets, by: key).map { k, bs in Bulletin.Line(key: k, name: name(k), amountFen: bs.reduce(0) { $0 + $1.amountFen }) }
                .sorted { ($0.amountFen, $1.key) > ($1.amountFen, $0.key) }
        }
        let unitProgress = progress.filter { $0.subject.unitID != nil }
        let byUnit = Dictionary(grouping: unitProgress) { $0.subject.unitID! }
        let spent = Dictionary(grouping: unitBuckets, by: \.unitID).mapValues { $0.reduce(0) { $0 + $1.amountFen } }
        let units = ranked(byUnit.map { id, ps in
            (names.units[id] ?? "#\(id)", ps[0].subject.region, ps, spent[id] ?? 0)
        })
        let byCounty = Dictionary(grouping: unitProgress) { RegionCode($0.subject.region)?.ancestor(at: .county)?.digits ?? $0.subject.region }
        let countySpent = Dictionary(grouping: unitBuckets) { RegionCode($0.buyerRegion)?.ancestor(at: .county)?.digits ?? $0.buyerRegion }
            .mapValues { $0.reduce(0) { $0 + $1.amountFen } }
        let counties = ranked(byCounty.map { code, ps in (names.regions[code] ?? code, code, ps, countySpent[code] ?? 0) })
        func who(_ ps: [RuleProgress], _ states: Set<ProgressState>) -> [String] {
            ps.filter { states.contains($0.state) }.map { p -> String in names.units[p.subject.unitID!] ?? p.subject.name }
        }
        let outcomes: [Bulletin.Outcome] = Dictionary(grouping: unitProgress, by: \.ruleCode).map { code, ps in
            Bulletin.Outcome(ruleCode: code, ruleName: ps[0].ruleName, ahead: who(ps, [.met, .onPace]), behind: who(ps, [.behind, .missed]),
                             undeclared: who(ps, [.missingDeclaration]))
        }.sorted { $0.ruleCode < $1.ruleCode }
        let months = Dictionary(grouping: buckets, by: \.month).mapValues { $0.reduce(0) { $0 + $1.amountFen } }
        var bulletin = Bulletin(title: title, jurisdiction: jurisdiction.digits, year: year, quarter: quarter,
                        asOf: asOf, paceBP: paceBP,
                        quarterFen: quarterFen, yearFen: yearFen,
                        byChannel: lines(\.channel) { names.channels[$0] ?? $0 },
                        byPurpose: lines(\.purpose) { PurchasePurpose(rawValue: $0)?.chineseName ?? $0 },
                        deepPovertyFen: deep, deepPovertyShareBP: yearFen > 0 ? Int(deep * 10_000 / yearFen) : 0,
                        householdsReached: householdsReached, units: units, counties: counties, outcomes: outcomes,
                        targets: progress.filter { $0.subject.unitID == nil })
        bulletin.byMonth = months.keys.sorted().map {
            Bulletin.Line(key: $0, name: "\(Int($0.suffix(2)) ?? 0)月", amountFen: months[$0]!)
        }
        return bulletin
    }

    /// Ranks by mean completion of the rules (a missing declaration counts as nothing done), then by amount.
    static func ranked(_ subjects: [(name: String, region: String, progress: [RuleProgress], amount: Int64)]) -> [Bulletin.Rank] {
        let scored = subjects.map { s in
            (s, s.progress.reduce(0) { $0 + $1.completionBP } / max(1, s.progress.count), s.progress.filter { $0.state == .met }.count)
        }.sorted { ($0.1, $0.0.amount, $1.0.name) > ($1.1, $1.0.amount, $0.0.name) }
        return scored.enumerated().map { i, x in
            Bulletin.Rank(rank: i + 1, name: x.0.name, region: x.0.region, completionBP: x.1, met: x.2, rules: x.0.progress.count, amountFen: x.0.amount)
        }
    }
}
