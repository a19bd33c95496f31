@testable import App
import Foundation
import XCTVapor

/// Issue 17: an SQLite server reads its database into the page cache before it says it is ready, so that the first
/// minute of searches after a restart does not read from disk one page at a time.
final class PageCacheWarmerTests: XCTestCase {
    private func file(bytes: Int) throws -> String {
        let path = NSTemporaryDirectory() + "bangfu-warm-\(UUID().uuidString).sqlite"
        try Data(repeating: 7, count: bytes).write(to: URL(fileURLWithPath: path))
        try Data(repeating: 8, count: 100).write(to: URL(fileURLWithPath: path + "-wal"))
        addTeardownBlock {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + "-wal")
        }
        return path
    }

    func testReadsTheDatabaseAndItsLogThroughUnlessTheyExceedTheBudget() throws {
        let size = 3 << 20 + 1
        let warmer = PageCacheWarmer(database: try file(bytes: size))
        XCTAssertEqual(warmer.read(budget: 1 << 30), size + 100)
        XCTAssertEqual(warmer.read(budget: size + 99), 0, "too big to stay in memory: not read")
        XCTAssertEqual(PageCacheWarmer(database: "/nonexistent/bangfu.sqlite").read(budget: 1 << 30), 0)
    }

    func testReadyOnlyOnceTheDatabaseHasBeenRead() async throws {
        try await withApp { app, _ in
            let warmer = PageCacheWarmer(database: try file(bytes: 1 << 20))
            app.storage[PageCacheWarmerKey.self] = warmer
            let starting = try await app.sendRequest(.GET, "/readyz")
            XCTAssertEqual(starting.status, .serviceUnavailable)
            XCTAssertTrue(starting.body.string.contains("\"pageCache\":\"warming\""), starting.body.string)

            try await warmer.didBootAsync(app)
            var ready = try await app.sendRequest(.GET, "/readyz")
            for _ in 0..<100 where ready.status != .ok {
                try await Task.sleep(for: .milliseconds(100))
                ready = try await app.sendRequest(.GET, "/readyz")
            }
            XCTAssertEqual(ready.status, .ok)
            XCTAssertTrue(ready.body.string.contains("\"pageCache\":\"warm\""), ready.body.string)
            await warmer.shutdownAsync(app)
        }
    }
}
