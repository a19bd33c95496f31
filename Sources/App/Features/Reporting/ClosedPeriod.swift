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
