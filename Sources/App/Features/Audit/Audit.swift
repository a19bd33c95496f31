import Fluent
import Foundation
import Vapor

/// Writes the audit line for a change, inside the same transaction as the change itself.
enum Audit {
    /// Who made a change and from where: a signed-in user over HTTP, or a command on the server.
    struct Origin: Sendable {
        let userID: Int?
        let name: String
        let ip: String

        static func request(_ req: Request, actor: User? = nil) -> Origin {
            let who = actor ?? req.currentUser
            return Origin(userID: who?.id, name: who?.signature ?? "匿名",
                          ip: req.remoteAddress?.ipAddress ?? "-")
        }

        static func command(_ name: String) -> Origin { Origin(userID: nil, name: "命令行 \(name)", ip: "local") }
    }

    static func record(_ origin: Origin, on db: any Database, action: String, entity: String, id: Int?,
                       region: String?, before: (any Encodable)? = nil, after: (any Encodable)? = nil) async throws {
        let entry = AuditEntry()
        entry.at = Date()
        entry.actorUserID = origin.userID
        entry.actorName = origin.name
        entry.ip = origin.ip
        entry.action = action
        entry.entity = entity
        entry.entityID = id.map(String.init)
        entry.regionCode = region
        entry.before = try before.map(json)
        entry.after = try after.map(json)
        try await entry.create(on: db)
    }

    static func record(_ req: Request, on db: any Database, action: String, entity: String, id: Int?,
                       region: String?, actor: User? = nil,
                       before: (any Encodable)? = nil, after: (any Encodable)? = nil) async throws {
        try await record(.request(req, actor: actor), on: db, action: action, entity: entity, id: id,
                         region: region, before: before, after: after)
    }

    private static func json(_ value: any Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
