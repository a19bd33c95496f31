/// What the rule engine reads: the units, their declarations and pairings, and counted amounts
/// in buckets (the ledger's rollups), never the raw ledger.
public struct UnitFacts: Sendable, Equatable {
    public let id: Int
    public let name: String
    public let kind: BuyerKind
    public let region: RegionCode
    public let isBudgetUnit: Bool, hasCanteen: Bool, hasFiveIntoDuty: Bool
    public let helpLevel: HelpLevel?
    /// Places this unit helps (驻村/定点帮扶 …), for rules that count purchases from them.
    public let helps: [RegionCode]

    public init(id: Int, name: String, kind: BuyerKind, region: RegionCode, isBudgetUnit: Bool = false, hasCanteen: Bool = false,
                hasFiveIntoDuty: Bool = false, helpLevel: HelpLevel? = nil, helps: [RegionCode] = []) {
        self.id = id; self.name = name; self.kind = kind; self.region = region; self.isBudgetUnit = isBudgetUnit
        self.hasCanteen = hasCanteen; self.hasFiveIntoDuty = hasFiveIntoDuty; self.helpLevel = helpLevel; self.helps = helps
    }
}

/// A county helping a county (市域内县际结对): the helper's buyers must buy from the helped.
public struct CountyPairing: Sendable, Equatable {
    public let helper: RegionCode, helped: RegionCode
    public init(helper: RegionCode, helped: RegionCode) { self.helper = helper; self.helped = helped }
}

/// Counted amount of one rollup bucket: month, buyer, origin, channel, purpose.
public struct Bucket: Sendable, Hashable {
    public let month: String          // "2026-11"
    public let unitID: Int
    public let buyerRegion: String
    /// Where the goods came from, at the grain the bucket was read: a village for helped places, a township or
    /// county for the rollups ("" when the grain has no origin).
    public let origin: String
    public let deepPoverty: Bool
    public let channel: String
    public let purpose: String
    public let amountFen: Int64

    public init(month: String, unitID: Int, buyerRegion: String, origin: String, deepPoverty: Bool = false,
                channel: String, purpose: String, amountFen: Int64) {
        self.month = month; self.unitID = unitID; self.buyerRegion = buyerRegion; self.origin = origin
        self.deepPoverty = deepPoverty; self.channel = channel; self.purpose = purpose; self.amountFen = amountFen
    }
}

public struct Declaration: Sendable, Equatable {
    public let unitID: Int, kind: DeclarationKind, value: Int64   // fen, or persons for unionMembers
    public init(unitID: Int, kind: DeclarationKind, value: Int64) { self.unitID = unitID; self.kind = kind; self.value = value }
}

/// What the engine reads, at the grain each rule needs: per unit (shares, minimums, members), per place
/// (jurisdiction totals, pairings, bulletins), and per unit and place only for units that help places.
public struct Facts: Sendable {
    public var units: [UnitFacts]
    public var declarations: [Declaration]
    public var countyPairings: [CountyPairing]
    /// By month × unit × channel × purpose (`origin` empty).
    public let unitBuckets: [Bucket]
    /// By month × origin township × deep poverty × buyer county × channel × purpose (`unitID` 0, `buyerRegion` the county).
    public let placeBuckets: [Bucket]
    /// By month × unit × origin township …, for the units whose rules count purchases from the places they help.
    public let helpedBuckets: [Bucket]
    let byUnit: [Int: [Bucket]], helpedByUnit: [Int: [Bucket]]
    struct DeclarationKey: Hashable { let unit: Int, kind: DeclarationKind }
    /// The last declaration of each unit and kind.
    let declared: [DeclarationKey: Int64]

    public init(units: [UnitFacts], declarations: [Declaration] = [], countyPairings: [CountyPairing] = [],
                unitBuckets: [Bucket], placeBuckets: [Bucket], helpedBuckets: [Bucket]) {
        self.units = units; self.declarations = declarations; self.countyPairings = countyPairings
        self.unitBuckets = unitBuckets; self.placeBuckets = placeBuckets; self.helpedBuckets = helpedBuckets
        byUnit = Dictionary(grouping: unitBuckets, by: \.unitID)
        helpedByUnit = Dictionary(grouping: helpedBuckets, by: \.unitID)
        declared = Dictionary(declarations.map { (DeclarationKey(unit: $0.unitID, kind: $0.kind), $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The coarser grains summed from the finest one (what the ledger's rows would give).
    public init(units: [UnitFacts], declarations: [Declaration] = [], countyPairings: [CountyPairing] = [], buckets: [Bucket]) {
        func summed(_ key: (Bucket) -> Bucket) -> [Bucket] {
            Dictionary(grouping: buckets, by: key).map { k, bs in
                Bucket(month: k.month, unitID: k.unitID, buyerRegion: k.buyerRegion,
                       origin: k.origin, deepPoverty: k.deepPoverty,
                       channel: k.channel, purpose: k.purpose, amountFen: bs.reduce(0) { $0 + $1.amountFen })
            }
        }
        self.init(units: units, declarations: declarations, countyPairings: countyPairings,
                  unitBuckets: summed { Bucket(month: $0.month, unitID: $0.unitID,
                                               buyerRegion: $0.buyerRegion, origin: "",
                                               channel: $0.channel, purpose: $0.purpose, amountFen: 0) },
                  placeBuckets: summed { Bucket(month: $0.month, unitID: 0, buyerRegion: RegionCode($0.buyerRegion)?.ancestor(at: .county)?.digits ?? $0.buyerRegion,
                                                origin: $0.origin, deepPoverty: $0.deepPoverty, channel: $0.channel,
                                                purpose: $0.purpose, amountFen: 0) },
                  helpedBuckets: buckets)
    }
}
