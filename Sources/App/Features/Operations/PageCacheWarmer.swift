#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import Vapor

/// Reads an SQLite server's database file through once when it starts, as `pg_prewarm` does for PostgreSQL, and
/// holds `/readyz` at "warming" until it has. After a restart the operating system's page cache is cold: at
/// 1,000,000 offers the first minute of searches read their index pages from disk one fault at a time (wrk's p99
/// 335–394 ms, against 10–14 ms warm). A sequential read of the whole file takes seconds and a balancer sends no
/// traffic meanwhile. A file larger than half the machine's memory would push itself out again: it is not read.
final class PageCacheWarmer: LifecycleHandler, @unchecked Sendable {
    private let paths: [String]
    private let warm = NIOLockedValueBox(false)
    private let stopping = NIOLockedValueBox(false)
    private var task: Task<Void, Never>?

    /// The database file and its write-ahead log.
    init(database path: String) { paths = [path, path + "-wal"] }

    /// Whether the database's pages have been read since the server started.
    var isWarm: Bool { warm.withLockedValue { $0 } }

    func didBootAsync(_ app: Application) async throws {
        let logger = app.logger
        task = Task {
            let started = ContinuousClock.now
            // A thread of its own: the application's pool (a thread per core) also runs SQLite's statements.
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            let bytes = try? await pool.runIfActive {
                self.read(budget: Int(clamping: ProcessInfo.processInfo.physicalMemory / 2))
            }
            try? await pool.shutdownGracefully()
            warm.withLockedValue { $0 = true }
            let elapsed = ContinuousClock.now - started
            logger.notice("database read into the page cache: \((bytes ?? 0) >> 20) MiB in \(elapsed)")
        }
    }

    func shutdownAsync(_ app: Application) async {
        stopping.withLockedValue { $0 = true }
        await task?.value
    }

    /// Reads the files through, unless together they exceed `budget` bytes; returns how many bytes it read.
    func read(budget: Int) -> Int {
        guard paths.map(Self.size).reduce(0, +) <= budget else { return 0 }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        return paths.reduce(0) { total, path in
            total + buffer.withUnsafeMutableBytes { readThrough(path, into: $0) }
        }
    }

    private static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private func readThrough(_ path: String, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        var total = 0
        while !stopping.withLockedValue({ $0 }),
              case let n = Glibc.read(fd, buffer.baseAddress, buffer.count), n > 0 {
            total += n
        }
        return total
    }
}

struct PageCacheWarmerKey: StorageKey { typealias Value = PageCacheWarmer }

extension Application {
    /// False while a `PageCacheWarmer` is still reading (PostgreSQL keeps its own buffers warm).
    var pageCacheIsWarm: Bool { storage[PageCacheWarmerKey.self]?.isWarm ?? true }

    func warmPageCache(of path: String) {
        let warmer = PageCacheWarmer(database: path)
        storage[PageCacheWarmerKey.self] = warmer
        lifecycle.use(warmer)
    }
}
