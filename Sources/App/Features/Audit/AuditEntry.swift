import Fluent
import Foundation

/// One append-only line of the audit trail: who did what to which record, from where, before and after.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_user_id") var actorUserID: Int?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "ip") var ip: String
    @Field(key: "action") var action: String
    @Field(key: "entity") var entity: String
    @OptionalField(key: "entity_id") var entityID: String?
    /// The region the record belongs to, so an office browses its own subtree's trail.
    @OptionalField(key: "region_code") var regionCode: String?
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?

    init() {}
}
