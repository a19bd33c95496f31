import AsyncKit
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOCore
import NIOPosix

/// Errors that say the database cannot be reached or is too busy now — not that the request is wrong: no
/// connection within the pool's wait, a refused or dropped connection, a server shutting down or out of
/// connections, SQLite busy or unable to open its file. They are answered 503 with Retry-After.
enum DatabaseUnavailable {
    static let retryAfterSeconds = 5

    static func matches(_ error: any Error) -> Bool {
        switch error {
        // Not `IOError` or `ChannelError`: a file or a client's connection fails with those too. The app's only
        // outgoing connections are the database's.
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError:
            return true
        case let e as PSQLError:
            return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed]
                .contains(e.code) || e.code == .server && isTransient(e.serverInfo?[.sqlState])
        case let e as SQLiteError:
            switch e.reason {
            case .busy, .locked, .ioError, .cantOpen, .busyTimeout, .busyInRecovery, .busyInSnapshot: return true
            default: return false
            }
        default:
            return false
        }
    }

    /// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57 (operator intervention).
    private static func isTransient(_ state: String?) -> Bool {
        guard let state else { return false }
        return ["08", "53", "57"].contains(String(state.prefix(2)))
    }
}
