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

/// Whether a month is closed for any of the places a row touches (the buyer's and the origin's regions).
enum PeriodLocks {
    static func closed(_ month: String, touching regions: [String], on db: any Database) async throws -> Bool {
        let closures = try await ClosedPeriod.query(on: db).filter(\.$month == month).all()
        return closures.contains { c in
            let prefix = RegionCode(c.jurisdictionCode)?.subtreePrefix ?? c.jurisdictionCode
            return regions.contains { $0.hasPrefix(prefix) }
        }
    }
}
