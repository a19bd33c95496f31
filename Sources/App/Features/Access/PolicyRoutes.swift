import BangfuKit
import Vapor

struct ActionKey: Hashable, Sendable {}

extension RoutesBuilder {
    /// Registers a route together with the one action the policy decides it by.
    /// A route registered any other way has no action and is refused by `PolicyMiddleware`.
    @discardableResult
    func on<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ url: SiteURL, _ action: Action, body: HTTPBodyStreamStrategy = .collect,
        use handler: @Sendable @escaping (Request) async throws -> R
    ) -> Route {
        let route = on(method, url.components, body: body, use: handler)
        route.userInfo[AnySendableHashable(ActionKey())] = action
        return route
    }
}

extension Route {
    var action: Action? { userInfo[AnySendableHashable(ActionKey())] as? Action }
}
