import Foundation
import SQLKit
import Vapor

/// 登录限速: failed logins make the next try wait, doubling from one second up to fifteen minutes. The wait falls
/// on the address that failed — on an account tried from that address after 5 failures, on the address alone
/// after 20 — so nobody can lock an account for its owner. Kept in the database, so every app server sees it.
enum LoginThrottle {
    static let table = "login_throttle"
    static let maxWait: Int64 = 15 * 60
    static let forgottenAfter: Int64 = 24 * 3600

    struct Key {
        let text: String
        let freeFailures: Int
    }

    static func keys(username: String, address: String) -> [Key] {
        [Key(text: "a:\(address)|\(username.lowercased().prefix(64))", freeFailures: 5),
         Key(text: "ip:\(address)", freeFailures: 20)]
    }

    /// Seconds to wait before the next try, or nil when it may go ahead.
    static func wait(_ keys: [Key], on db: any SQLDatabase) async throws -> Int64? {
        let now = SessionStore.now
        let rows = try await db.select().column("blocked_until").from(table)
            .where(SQLColumn("key"), .in, SQLBind.group(keys.map(\.text))).all()
        let until = try rows.map { try $0.decode(column: "blocked_until", as: Int64.self) }.max() ?? 0
        return until > now ? until - now : nil
    }

    static func failed(_ keys: [Key], on db: any SQLDatabase) async throws {
        let now = SessionStore.now
        try await db.delete(from: table).where("updated_at", .lessThan, SQLBind(now - forgottenAfter)).run()
        for key in keys {
            let row = try await db.select().column("failures").from(table).where("key", .equal,
                SQLBind(key.text)).first()
            let failures = try (row?.decode(column: "failures", as: Int.self) ?? 0) + 1
            let blocked = now + blockedFor(failures: failures, free: key.freeFailures)
            if row == nil {
                try await db.insert(into: table).columns("key", "failures", "blocked_until", "updated_at")
                    .values(SQLBind(key.text), SQLBind(failures), SQLBind(blocked), SQLBind(now)).run()
            } else {
                try await db.update(table).set("failures", to: SQLBind(failures)).set("blocked_until",
                    to: SQLBind(blocked))
                    .set("updated_at", to: SQLBind(now)).where("key", .equal, SQLBind(key.text)).run()
            }
        }
    }

    /// A good password clears the account's count at this address; the address's own count stays.
    static func succeeded(_ keys: [Key], on db: any SQLDatabase) async throws {
        try await db.delete(from: table).where("key", .equal, SQLBind(keys[0].text)).run()
    }

    /// The wait as stored: the clock here counts whole seconds, so a wait of n seconds from a failure late in one
    /// second would end n − 1 seconds later (the first, one second, at once); one more second keeps every wait whole.
    static func blockedFor(failures: Int, free: Int) -> Int64 {
        let wait = backoff(failures: failures, free: free)
        return wait == 0 ? 0 : wait + 1
    }

    /// 0 while failures are free, then 1, 2, 4 … seconds, never more than `maxWait`.
    static func backoff(failures: Int, free: Int) -> Int64 {
        let over = failures - free
        guard over >= 0 else { return 0 }
        return over >= 10 ? maxWait : min(maxWait, Int64(1) << Int64(over))
    }
}
