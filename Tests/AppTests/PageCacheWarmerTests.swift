@testable import App
import Foundation
import XCTVapor
#if canImport(Glibc)
import Glibc
#endif

/// Issue 17: an SQLite server reads its database into the page cache before it says it is ready, so that the first
/// minute of searches after a restart does not read from disk one page at a time.
final class PageCacheWarmerTests: XCTestCase {
    private func temporaryPath() -> String {
        let path = NSTemporaryDirectory() + "bangfu-warm-\(UUID().uuidString).sqlite"
        addTeardownBlock {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + "-wal")
        }
        return path
    }

    func testReadsTheDatabaseAndItsLogThroughUnlessTheyExceedTheBudget() throws {
        let path = temporaryPath(), size = 3 << 20 + 1
        try Data(repeating: 7, count: size).write(to: URL(fileURLWithPath: path))
        try Data(repeating: 8, count: 100).write(to: URL(fileURLWithPath: path + "-wal"))
        let warmer = PageCacheWarmer(database: path)
        XCTAssertEqual(warmer.read(budget: 1 << 30), size + 100)
        XCTAssertNil(warmer.read(budget: size + 99), "too big to stay in memory: not read")
        XCTAssertEqual(PageCacheWarmer(database: "/nonexistent/bangfu.sqlite").read(budget: 1 << 30), 0)
    }

    /// The database is a pipe here, so that the read at start lasts until the test has looked at `/readyz`.
    func testReadyOnlyOnceTheDatabaseHasBeenRead() async throws {
        try await withApp { app, _ in
            let path = temporaryPath()
            XCTAssertEqual(mkfifo(path, 0o600), 0)
            let warmer = PageCacheWarmer(database: path)
            app.storage[PageCacheWarmerKey.self] = warmer
            try await assertReadiness(app, .serviceUnavailable, "warming")
            try await warmer.didBootAsync(app)
            try await assertReadiness(app, .serviceUnavailable, "warming")

            let writer = try await openWhenRead(path)
            XCTAssertEqual(write(writer, [UInt8](repeating: 1, count: 4_096), 4_096), 4_096)
            close(writer)
            for _ in 0..<100 where !warmer.isWarm { try await Task.sleep(for: .milliseconds(100)) }
            try await assertReadiness(app, .ok, "warm")
            await warmer.shutdownAsync(app)
        }
    }

    func testReadinessSaysNothingOfAPageCacheNobodyReads() async throws {
        try await withApp { app, _ in
            let res = try await app.sendRequest(.GET, "/readyz")
            XCTAssertEqual(res.status, .ok)
            XCTAssertFalse(res.body.string.contains("pageCache"), res.body.string)
        }
    }

    private func assertReadiness(_ app: Application, _ status: HTTPStatus, _ pageCache: String,
                                 line: UInt = #line) async throws {
        let res = try await app.sendRequest(.GET, "/readyz")
        XCTAssertEqual(res.status, status, line: line)
        XCTAssertTrue(res.body.string.contains("\"pageCache\":\"\(pageCache)\""), res.body.string, line: line)
    }

    /// The pipe's writing end, once the warmer has opened it for reading (until then, opening it fails).
    private func openWhenRead(_ path: String) async throws -> Int32 {
        for _ in 0..<100 {
            let fd = open(path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { return fd }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("the warmer never opened the database")
        throw NeverOpened()
    }

    private struct NeverOpened: Error {}
}
