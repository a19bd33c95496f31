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
        _ = try await revokeOwn(req)
        return req.redirect(to: SiteURL.tokens.path)
    }

    /// Revokes one of the caller's own tokens (the one in use too: it stops working at once).
    static func revokeOwn(_ req: Request) async throws -> APIToken {
        guard let id = req.parameters.get("id", as: Int.self),
              let token = try await APIToken.query(on: req.db).filter(\.$id == id)
                .filter(\.$user.$id == req.currentUser!.id!).first()
        else { throw APIError.notFound("令牌") }
        guard token.revokedAt == nil else { return token }
        token.revokedAt = Date()
        try await req.db.writeTransaction { db in
            try await token.save(on: db)
            try await Audit.record(req, on: db, action: "revoke", entity: "api_token", id: token.id,
                                   region: req.currentUser!.regionCode, after: ["name": token.name])
        }
        return token
    }

    struct TokenDTO: Content {
        let id: Int, name: String, createdAt: String, revoked: Bool
        /// The token itself: only in the answer that creates it.
        var token: String? = nil
        init(_ t: APIToken) {
            id = t.id!
            name = t.name
            createdAt = t.createdAt.map(ShanghaiCalendar.format) ?? ""
            revoked = t.revokedAt != nil
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [TokenDTO] {
        try await APIToken.query(on: req.db).filter(\.$user.$id == req.currentUser!.id!)
            .sort(\.$id, .descending).all().map(TokenDTO.init)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        struct Body: Content { var name: String? }
        let name = try FormValue.text(try req.content.decode(Body.self).name, "name", "令牌用途", max: 50)
        let secret = try await issue(name: name, for: req.currentUser!, req: req)
        let record = try await APIToken.query(on: req.db)
            .filter(\.$tokenHash == Authentication.tokenHash(secret)).first()
        guard let record else { throw APIError.notFound("令牌") }
        var dto = TokenDTO(record)
        dto.token = secret
        return try await dto.encodeResponse(status: .created, for: req)
    }

    @Sendable static func apiRevoke(req: Request) async throws -> TokenDTO { TokenDTO(try await revokeOwn(req)) }
}

