import Fluent
import SQLKit
import Vapor

extension DatabaseID {
    /// A streaming replica of the primary (`DATABASE_READ_URL`), for heavy reads.
    static let replica = DatabaseID(string: "replica")
}

extension Request {
    /// Where a heavy read (a bulletin, an export, the public catalogue) goes: the replica when there is one, unless
    /// this caller wrote in the last few seconds — their own change may not have reached it yet, so they read
    /// the primary (read-your-own-writes). Everything else reads and writes the primary (`req.db`).
    func replica() async throws -> any Database {
        guard application.config.readReplicaURL != nil,
              method == .GET || method == .HEAD,
              !ReplicaRouting.cookieSaysWrote(self),
              try await !ReplicaRouting.userWroteRecently(self)
        else { return db }
        storage[ReplicaRouting.ReadKey.self] = true
        return db(.replica)
    }
}

/// Marks a caller that has just written — a browser by a cookie with the time, any signed-in user (an API token
/// has no cookie jar) by a row on the primary — and answers that read the replica (`X-Bangfu-Read: replica`,
/// for operators and the multi-server test).
struct ReplicaRouting: AsyncMiddleware {
    struct ReadKey: StorageKey { typealias Value = Bool }
    static let cookie = "bangfu_wrote"
    static let marks = "replica_marks"
    /// Longer than the replica's lag on a healthy loopback or LAN stream, by far.
    static let readYourWrites = 10

    static func cookieSaysWrote(_ req: Request) -> Bool {
        guard let text = req.cookies[cookie]?.string, let at = Int(text) else { return false }
        return now() - at < readYourWrites
    }

    static func userWroteRecently(_ req: Request) async throws -> Bool {
        guard let user = req.currentUser?.id else { return false }
        let row = try await (req.db as! any SQLDatabase).select().column("wrote_at").from(marks)
            .where("user_id", .equal, user).first()
        guard let at = try row?.decode(column: "wrote_at", as: Int.self) else { return false }
        return now() - at < readYourWrites
    }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: req)
        guard req.application.config.readReplicaURL != nil else { return response }
        if req.storage[ReadKey.self] == true { response.headers.replaceOrAdd(name: "X-Bangfu-Read", value: "replica") }
        guard req.method != .GET, req.method != .HEAD, response.status.code < 400 else { return response }
        response.cookies[Self.cookie] = HTTPCookies.Value(
            string: String(Self.now()), maxAge: Self.readYourWrites, path: "/",
            isSecure: req.application.config.secureCookies, isHTTPOnly: true, sameSite: .lax)
        if let user = req.currentUser?.id { await mark(user, on: req) }
        return response
    }

    /// The write has committed whatever happens here; a lost mark only risks a stale read for a few seconds.
    private func mark(_ user: Int, on req: Request) async {
        do {
            try await (req.db as! any SQLDatabase).insert(into: Self.marks)
                .columns("user_id", "wrote_at").values(SQLBind(user), SQLBind(Self.now()))
                .onConflict(with: ["user_id"]) { $0.set(excludedValueOf: "wrote_at") }
                .run()
        } catch {
            req.logger.warning("读写分离标记未记录 (replica mark not written): \(String(reflecting: error))")
        }
    }

    private static func now() -> Int { Int(Date().timeIntervalSince1970) }
}
