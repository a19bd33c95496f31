import Foundation
import SQLKit
import Vapor

/// Sessions in the database that expire after eight idle hours and know their user, written only when they
/// change: a page view that reads a session writes nothing, so it never takes SQLite's write lock from an
/// import. An empty session (a visitor who never signed in) is never stored at all.
struct SessionStore: AsyncSessionDriver {
    static let table = "sessions"
    static let lifetime: Int64 = 8 * 3600
    /// A session's expiry moves on at most once an hour: the sliding window costs one write an hour, not one a view.
    static let refreshAfter: Int64 = 3600

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let id = SessionID(string: [UInt8].random(count: 32).base64.replacingOccurrences(of: "/", with: "_"))
        guard !data.snapshot.isEmpty else { return id }
        try await Self.removeExpired(on: request)
        try await sql(request).insert(into: Self.table)
            .columns("id", "data", "user_id", "expires_at")
            .values(SQLBind(id.string), SQLBind(try Self.encode(data)), SQLBind(Self.userID(data)),
                SQLBind(Self.now + Self.lifetime))
            .run()
        return id
    }

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard let row = try await sql(request).select().columns("data", "expires_at").from(Self.table)
            .where("id", .equal, SQLBind(sessionID.string)).where("expires_at", .greaterThan, SQLBind(Self.now))
            .first()
        else { return nil }
        let data = try JSONDecoder().decode(SessionData.self, from: Data(try row.decode(column: "data",
            as: String.self).utf8))
        request.storage[Loaded.self] = Loaded(data: data, expiresAt: try row.decode(column: "expires_at",
            as: Int64.self))
        return data
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        let loaded = request.storage[Loaded.self]
        let fresh = (loaded?.expiresAt ?? 0) - Self.now > Self.lifetime - Self.refreshAfter
        if loaded?.data == data && fresh { return sessionID }
        guard loaded != nil else { return try await createSession(data, for: request) }
        try await sql(request).update(Self.table)
            .set("data", to: SQLBind(try Self.encode(data))).set("user_id", to: SQLBind(Self.userID(data)))
            .set("expires_at", to: SQLBind(Self.now + Self.lifetime))
            .where("id", .equal, SQLBind(sessionID.string))
            .run()
        return sessionID
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await sql(request).delete(from: Self.table).where("id", .equal, SQLBind(sessionID.string)).run()
    }

    /// Ends every session of a user but the one given (after a password change).
    static func endSessions(of userID: Int, except kept: SessionID?, on db: any SQLDatabase) async throws {
        try await db.delete(from: table).where("user_id", .equal, SQLBind(userID))
            .where("id", .notEqual, SQLBind(kept?.string ?? "")).run()
    }

    static func removeExpired(on request: Request) async throws {
        try await (request.db as! any SQLDatabase).delete(from: table).where("expires_at", .lessThanOrEqual,
            SQLBind(now)).run()
    }

    struct Loaded: StorageKey, Sendable {
        typealias Value = Loaded
        let data: SessionData
        let expiresAt: Int64
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    static func userID(_ data: SessionData) -> Int? { data[Authentication.sessionUserKey].flatMap { Int($0) } }

    static func encode(_ data: SessionData) throws -> String { String(decoding: try JSONEncoder().encode(data),
        as: UTF8.self) }

    private func sql(_ request: Request) -> any SQLDatabase { request.db as! any SQLDatabase }
}
