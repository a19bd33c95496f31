import BangfuKit
import Fluent
import SQLKit

/// Who is barred today: entries that have started, not ended and not been lifted.
enum Blacklist {
    static func active(on db: any Database, today: LocalDate) -> QueryBuilder<BlacklistEntry> {
        BlacklistEntry.query(on: db)
            .filter(\.$liftedAt == nil)
            .filter(\.$startsOn <= today.description)
            .group(.or) { $0.filter(\.$endsOn == nil).filter(\.$endsOn > today.description) }
    }

    /// The same, as a condition on an offer `o`: its supplier is not barred today.
    static func notListed(_ today: LocalDate) -> SQLQueryString {
        let day = today.description
        return """
            (o.supplier_id IS NULL OR o.supplier_id NOT IN (
                SELECT b.supplier_id FROM blacklist_entries b WHERE b.lifted_at IS NULL AND b.starts_on <= \(bind: day)
                AND (b.ends_on IS NULL OR b.ends_on > \(bind: day))))
            """
    }

    static func refuseIfListed(_ supplierID: Int, on db: any Database, today: LocalDate) async throws {
        if let entry = try await active(on: db, today: today).filter(\.$supplier.$id == supplierID).first() {
            throw APIError(status: .forbidden, code: "blacklisted",
                           message: "该主体已列入黑名单（\(entry.reason)），不能登记产品或申请认定", field: "supplierId")
        }
    }
}
