import BangfuKit
import Vapor

/// The single gate every route passes: who is calling, what the route's action is, and the scope the
/// policy grants. Handlers read `req.scope` and never decide access themselves.
struct PolicyMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let action = req.route?.action else {
            req.logger.error("route without policy: \(req.route?.description ?? req.url.path)")
            throw APIError(status: .internalServerError, code: "no_policy", message: "此功能尚未配置访问规则")
        }
        let user = try await Authentication.user(for: req)
        guard let scope = AccessPolicy.scope(of: user?.actor, for: action) else {
            throw user == nil ? APIError.unauthenticated : APIError.forbidden
        }
        req.storage[ScopeKey.self] = scope
        req.storage[ActionStorageKey.self] = action
        return try await next.respond(to: req)
    }
}

struct ScopeKey: StorageKey { typealias Value = Scope }
struct ActionStorageKey: StorageKey { typealias Value = Action }

extension Request {
    /// The scope the policy granted this request. Set for every routed request.
    var scope: Scope { storage[ScopeKey.self] ?? .ownAccount }

    /// The scope the same caller would get for another action (e.g. reading identities on a list page).
    func scope(for action: Action) -> Scope? { AccessPolicy.scope(of: currentUser?.actor, for: action) }
}
