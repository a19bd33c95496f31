import BangfuKit
import Fluent

/// Who is barred today: entries that have started, not ended and not been lifted.
enum Blacklist {
    static func active(on db: any Database, today: LocalDate) -> QueryBuilder<BlacklistEntry> {
        BlacklistEntry.query(on: db)
            .filter(\.$liftedAt == nil)
            .filter(\.$startsOn <= today.description)
            .group(.or) { $0.filter(\.$endsOn == nil).filter(\.$endsOn > today.description) }
    }

    static func refuseIfListed(_ supplierID: Int, on db: any Database, today: LocalDate) async throws {
        if let entry = try await active(on: db, today: today).filter(\.$supplier.$id == supplierID).first() {
            throw APIError(status: .forbidden, code: "blacklisted",
                           message: "该主体已列入黑名单（\(entry.reason)），不能登记产品或申请认定", field: "supplierId")
        }
    }
}
