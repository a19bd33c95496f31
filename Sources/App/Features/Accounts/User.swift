import BangfuKit
import Fluent
import Foundation
import Vapor

final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @OptionalField(key: "region_code") var regionCode: String?
    @OptionalParent(key: "system_id") var system: LeadSystem?
    @OptionalParent(key: "buyer_unit_id") var buyerUnit: BuyerUnit?
    @OptionalParent(key: "supplier_id") var supplier: Supplier?
    @OptionalParent(key: "office_id") var office: Office?
    @Field(key: "is_active") var isActive: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var actor: Actor {
        Actor(userID: id!, role: Role(rawValue: role)!, regionCode: regionCode.flatMap(RegionCode.init),
              systemID: $system.id, buyerUnitID: $buyerUnit.id, supplierID: $supplier.id)
    }
}

extension User: SessionAuthenticatable {
    var sessionID: Int { id! }
}

/// An integration's bearer token. Only its SHA-256 is stored; the token is shown once at creation.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

extension User {
    /// How records name who did something: "周科长(yunyang.office)".
    var signature: String { "\(displayName)(\(username))" }
}
