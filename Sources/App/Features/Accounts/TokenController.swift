import BangfuKit
import Fluent
import Vapor

/// API tokens for integrations: shown once, stored as SHA-256, revocable.
enum TokenController {
    struct Row: Encodable { let id: Int; let name: String; let createdAt: String; let revoked: Bool }
    struct Page: Encodable { let shell: Shell; let rows: [Row]; let newToken: String?; let error: String? }

    static func page(_ req: Request, newToken: String? = nil, error: String? = nil) async throws -> View {
        let tokens = try await APIToken.query(on: req.db).filter(\.$user.$id == req.currentUser!.id!)
            .sort(\.$id, .descending).all()
        let rows = tokens.map {
            Row(id: $0.id!, name: $0.name, createdAt: $0.createdAt.map(ShanghaiCalendar.format) ?? "", revoked: $0.revokedAt != nil)
        }
        return try await req.view.render("account/tokens", Page(shell: Shell(req), rows: rows, newToken: newToken, error: error))
    }

    @Sendable static func index(req: Request) async throws -> View { try await page(req) }

    /// Makes a token for the signed-in user; the clear token exists only in this response.
    static func issue(name: String, for user: User, req: Request) async throws -> String {
        let token = "bf_" + [UInt8].random(count: 32).map { String(format: "%02x", $0) }.joined()
        let record = APIToken()
        record.$user.id = user.id!
        record.name = name
        record.tokenHash = Authentication.tokenHash(token)
        try await req.db.writeTransaction { db in
            try await record.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "api_token", id: record.id,
                                   region: user.regionCode, actor: user, after: ["name": name])
        }
        return token
    }

    @Sendable static func create(req: Request) async throws -> View {
        let name = (try? req.content.get(String.self, at: "name"))?.trimmed ?? ""
        guard !name.isEmpty, name.count <= 50 else { return try await page(req, error: "请填写令牌用途（50字以内）") }
        return try await page(req, newToken: try await issue(name: name, for: req.currentUser!, req: req))
    }

    @Sendable static func revoke(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self),
              let token = try await APIToken.query(on: req.db).filter(\.$id == id)
                .filter(\.$user.$id == req.currentUser!.id!).first()
        else { throw APIError.notFound("令牌") }
        token.revokedAt = Date()
        try await req.db.writeTransaction { db in
            try await token.save(on: db)
            try await Audit.record(req, on: db, action: "revoke", entity: "api_token", id: token.id,
                                   region: req.currentUser!.regionCode, after: ["name": token.name])
        }
        return req.redirect(to: SiteURL.tokens.path)
    }
}

