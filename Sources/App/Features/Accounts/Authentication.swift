import Crypto
import Fluent
import Foundation
import Vapor

/// Finds the caller: a bearer token under /api, the session cookie everywhere else.
enum Authentication {
    static let sessionUserKey = "uid"

    static func user(for req: Request) async throws -> User? {
        if let cached = req.storage[CurrentUserKey.self] { return cached }
        let user = req.url.path.hasPrefix("/api/") ? try await bearerUser(req) : try await sessionUser(req)
        req.storage[CurrentUserKey.self] = user
        return user
    }

    private static func sessionUser(_ req: Request) async throws -> User? {
        guard req.hasSession, let raw = req.session.data[sessionUserKey], let id = Int(raw),
              let user = try await User.find(id, on: req.db), user.isActive else { return nil }
        return user
    }

    private static func bearerUser(_ req: Request) async throws -> User? {
        guard let token = req.headers.bearerAuthorization?.token else { return nil }
        guard let record = try await APIToken.query(on: req.db)
            .filter(\.$tokenHash == tokenHash(token)).filter(\.$revokedAt == nil)
            .with(\.$user).first(),
            record.user.isActive
        else { throw APIError(status: .unauthorized, code: "bad_token", message: "访问令牌无效或已吊销") }
        return record.user
    }

    static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func logIn(_ user: User, on req: Request) async throws {
        // A fresh session id on login defeats session fixation: drop the old record, start a new one.
        if let old = req.session.id { try await req.application.sessions.driver.deleteSession(old, for: req).get() }
        req.session.id = nil
        req.session.data = SessionData()
        req.session.data[sessionUserKey] = String(user.id!)
        req.storage[CurrentUserKey.self] = user
    }
}

struct CurrentUserKey: StorageKey { typealias Value = User? }

extension Request {
    var currentUser: User? { storage[CurrentUserKey.self] ?? nil }
}
