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

/// Counted amount of one rollup bucket: month, buyer, origin township, channel, purpose.
public struct Bucket: Sendable, Equatable {
    public let month: String          // "2026-11"
    public let unitID: Int
    public let buyerRegion: String
    public let originTownship: String
    public let deepPoverty: Bool
    public let channel: String
    public let purpose: String
    public let amountFen: Int64

    public init(month: String, unitID: Int, buyerRegion: String, originTownship: String, deepPoverty: Bool = false,
                channel: String, purpose: String, amountFen: Int64) {
        self.month = month; self.unitID = unitID; self.buyerRegion = buyerRegion; self.originTownship = originTownship
        self.deepPoverty = deepPoverty; self.channel = channel; self.purpose = purpose; self.amountFen = amountFen
    }
}

public struct Declaration: Sendable, Equatable {
    public let unitID: Int, kind: DeclarationKind, value: Int64   // fen, or persons for unionMembers
    public init(unitID: Int, kind: DeclarationKind, value: Int64) { self.unitID = unitID; self.kind = kind; self.value = value }
}

public struct Facts: Sendable {
    public var units: [UnitFacts]
    public var declarations: [Declaration]
    public var countyPairings: [CountyPairing]
    public var buckets: [Bucket]
    public init(units: [UnitFacts], declarations: [Declaration] = [], countyPairings: [CountyPairing] = [], buckets: [Bucket]) {
        self.units = units; self.declarations = declarations; self.countyPairings = countyPairings; self.buckets = buckets
    }
}
