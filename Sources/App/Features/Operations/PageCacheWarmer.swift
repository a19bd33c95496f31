#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import Vapor

/// Reads an SQLite server's database file through once when it starts, as `pg_prewarm` does for PostgreSQL, and
/// holds `/readyz` at "warming" until that read has finished or been skipped. After a restart the operating system's
/// page cache is cold: at 1,000,000 offers the first minute of searches read their index pages from disk one fault at
/// a time (wrk's p99 146–394 ms, against 10–14 ms warm). A sequential read of the whole file takes seconds and a
/// balancer sends no traffic meanwhile. A file larger than half the machine's memory would push itself out again: it
/// is not read.
final class PageCacheWarmer: LifecycleHandler, @unchecked Sendable {
    private let paths: [String]
    private let finished = NIOLockedValueBox(false)
    private let stopping = NIOLockedValueBox(false)
    private var task: Task<Void, Never>?

    /// The database file and its write-ahead log.
    init(database path: String) { paths = [path, path + "-wal"] }

    /// Whether the read at start has finished (or was skipped, failed or stopped).
    var isWarm: Bool { finished.withLockedValue { $0 } }

    func didBootAsync(_ app: Application) async throws {
        let logger = app.logger
        let budget = Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)
        task = Task {
            let started = ContinuousClock.now
            // A thread of its own: the application's pool (a thread per core) also runs SQLite's statements.
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            do {
                let bytes = try await pool.runIfActive { self.read(budget: budget) }
                let what = bytes.map { "\($0 >> 20) MiB" } ?? "nothing (larger than half the memory)"
                logger.notice("database read into the page cache at start: \(what) in \(ContinuousClock.now - started)")
            } catch {
                logger.warning("database not read into the page cache at start: \(error)")
            }
            try? await pool.shutdownGracefully()
            finished.withLockedValue { $0 = true }
        }
    }

    func shutdownAsync(_ app: Application) async {
        stopping.withLockedValue { $0 = true }
        await task?.value
    }

    /// Reads the files through and returns how many bytes it read; nil when together they exceed `budget` bytes.
    func read(budget: Int) -> Int? {
        guard paths.map(Self.size).reduce(0, +) <= budget else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        return paths.reduce(0) { total, path in
            total + buffer.withUnsafeMutableBytes { readThrough(path, into: $0) }
        }
    }

    private static func size(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Reads until the end, an error or shutdown; a missing file reads nothing.
    private func readThrough(_ path: String, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        var total = 0
        while !stopping.withLockedValue({ $0 }) {
            let n = systemRead(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            total += n
        }
        return total
    }
}

/// The C library's `read`, which `PageCacheWarmer.read(budget:)` hides inside the class.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

struct PageCacheWarmerKey: StorageKey { typealias Value = PageCacheWarmer }

extension Application {
    /// The read of an SQLite server's database at start (PostgreSQL keeps its own buffers warm: none).
    var pageCacheWarmer: PageCacheWarmer? { storage[PageCacheWarmerKey.self] }

    func warmPageCache(of path: String) {
        let warmer = PageCacheWarmer(database: path)
        storage[PageCacheWarmerKey.self] = warmer
        lifecycle.use(warmer)
    }
}
