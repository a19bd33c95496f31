import BangfuKit
import Fluent
import Vapor

struct AuditDTO: Content {
    let id: Int
    let at: String
    let actor: String
    let ip: String
    let action: String
    let entity: String
    let entityId: String?
    let regionCode: String?
    let before: String?
    let after: String?

    init(_ e: AuditEntry) {
        id = e.id!; at = ShanghaiCalendar.format(e.at); actor = e.actorName; ip = e.ip; action = e.action
        entity = e.entity; entityId = e.entityID; regionCode = e.regionCode; before = e.before; after = e.after
    }
}

/// The trail, newest first, within the viewer's region.
enum AuditController {
    static func list(_ req: Request) async throws -> [AuditDTO] {
        var q = AuditEntry.query(on: req.db).scoped(by: req.scope)
        if let entity: String = req.query["entity"], !entity.isEmpty { q = q.filter(\.$entity == entity) }
        return try await q.sort(\.$id, .descending).limit(200).all().map(AuditDTO.init)
    }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("audit/index", ListPage(shell: Shell(req), rows: try await list(req)))
    }

    @Sendable static func apiIndex(req: Request) async throws -> [AuditDTO] { try await list(req) }
}
