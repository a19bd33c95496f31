import BangfuKit
import Fluent
import Foundation

/// A month an office has closed (关账) for its region: ledger rows booked in it can no longer change.
final class ClosedPeriod: Model, @unchecked Sendable {
    static let schema = "closed_periods"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "month") var month: String
    @Field(key: "closed_by") var closedBy: String
    @Timestamp(key: "closed_at", on: .create) var closedAt: Date?

    init() {}
    init(jurisdiction: String, month: String, closedBy: String) {
        jurisdictionCode = jurisdiction; self.month = month; self.closedBy = closedBy
    }
}

extension [ClosedPeriod] {
    /// Whether `month` is closed for any of the places a ledger row touches (its buyer's and origin's regions).
    func close(_ month: String, touching places: [String]) -> Bool {
        contains { c in
            guard c.month == month else { return false }
            let prefix = RegionCode(c.jurisdictionCode)?.subtreePrefix ?? c.jurisdictionCode
            return places.contains { $0.hasPrefix(prefix) }
        }
    }
}
