/// Two reports of one purchase (a township's 附件2 row and a lead unit's 附件3 row): the row that counts takes
/// each fact from the side that knows it best, so linking never loses what either source said.
public enum LinkedReports {
    /// A fact the two sides may both state.
    public enum Fact: String, Sendable, CaseIterable, Codable {
        case purpose, householdsTouched
        public var chineseName: String { self == .purpose ? "用途" : "带动户数" }
    }

    /// What one report says.
    public struct Report: Sendable, Equatable {
        public let source: PurchaseSource
        public let purpose: PurchasePurpose
        public let householdsTouched: Int?
        public init(source: PurchaseSource, purpose: PurchasePurpose, householdsTouched: Int?) {
            self.source = source; self.purpose = purpose; self.householdsTouched = householdsTouched
        }
    }

    /// The facts the counted row should take from the duplicate: the buyer knows what it bought for, the
    /// township how many households sold; a side that says nothing ("其他", no count) gives way to one that does.
    public static func taken(counted: Report, duplicate: Report) -> [Fact] {
        var facts: [Fact] = []
        if prefers(duplicate, over: counted, purposeOf: true) { facts.append(.purpose) }
        if prefers(duplicate, over: counted, purposeOf: false) { facts.append(.householdsTouched) }
        return facts
    }

    private static func prefers(_ d: Report, over c: Report, purposeOf: Bool) -> Bool {
        let dSays = purposeOf ? d.purpose != .other : d.householdsTouched != nil
        let cSays = purposeOf ? c.purpose != .other : c.householdsTouched != nil
        guard dSays else { return false }
        guard cSays else { return true }
        let value = purposeOf ? d.purpose.rawValue != c.purpose.rawValue : d.householdsTouched != c.householdsTouched
        return value && rank(d.source, purposeOf) > rank(c.source, purposeOf)
    }

    /// Who knows a fact best: the buying side its purpose, the selling township its households.
    static func rank(_ s: PurchaseSource, _ purpose: Bool) -> Int {
        let seller = s == .townshipReport
        return purpose ? (seller ? 0 : 1) : (seller ? 1 : 0)
    }
}
