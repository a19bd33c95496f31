import Fluent
import Vapor

extension DatabaseID {
    /// A streaming replica of the primary (`DATABASE_READ_URL`), for heavy reads.
    static let replica = DatabaseID(string: "replica")
}

extension Request {
    /// Where a heavy read (a bulletin, an export, the public catalogue) goes: the replica when there is one, unless
    /// this caller wrote in the last few seconds — their own change may not have reached it yet, so they read
    /// the primary (read-your-own-writes). Everything else reads and writes the primary (`req.db`).
    var replica: any Database {
        guard application.config.readReplicaURL != nil,
              method == .GET || method == .HEAD,
              !ReplicaRouting.wroteRecently(self)
        else { return db }
        storage[ReplicaRouting.ReadKey.self] = true
        return db(.replica)
    }
}

/// Marks a browser that has just written (a cookie with the time), and answers that read the replica
/// (`X-Bangfu-Read: replica`, for operators and the multi-server test).
struct ReplicaRouting: AsyncMiddleware {
    struct ReadKey: StorageKey { typealias Value = Bool }
    static let cookie = "bangfu_wrote"
    /// Longer than the replica's lag on a healthy loopback or LAN stream, by far.
    static let readYourWrites = 10

    static func wroteRecently(_ req: Request) -> Bool {
        guard let text = req.cookies[cookie]?.string, let at = Int(text) else { return false }
        return Int(Date().timeIntervalSince1970) - at < readYourWrites
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        guard req.application.config.readReplicaURL != nil else { return response }
        if req.storage[ReadKey.self] == true { response.headers.replaceOrAdd(name: "X-Bangfu-Read", value: "replica") }
        if req.method != .GET, req.method != .HEAD, response.status.code < 400 {
            response.cookies[Self.cookie] = HTTPCookies.Value(
                string: String(Int(Date().timeIntervalSince1970)), maxAge: Self.readYourWrites, path: "/",
                isSecure: req.application.config.secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}
