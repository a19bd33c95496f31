@testable import App
import NIOConcurrencyHelpers
import Vapor
import XCTest

/// The public catalogue's answer cache: many citizens asking at once for an answer not kept cost one search.
final class PublicResponseCacheTests: XCTestCase {
    private static func answer(_ text: String, status: HTTPStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(string: text))
    }

    private func ask(_ cache: PublicResponseCache, _ key: String, times: Int,
                     make: @escaping @Sendable () async throws -> Response) async throws -> [String] {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<times {
                group.addTask {
                    let response = try await cache.response(for: key, make: make)
                    return "\(response.status.code) \(response.body.string ?? "")"
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func testConcurrentMissesOfOneKeySearchOnceAndAllGetTheAnswer() async throws {
        let cache = PublicResponseCache(seconds: 5)
        let searches = NIOLockedValueBox(0)
        let answers = try await ask(cache, "page 橙", times: 32) {
            let n = searches.withLockedValue { $0 += 1; return $0 }
            try await Task.sleep(for: .milliseconds(100))
            return Self.answer("search \(n)")
        }
        XCTAssertEqual(searches.withLockedValue { $0 }, 1)
        XCTAssertEqual(Set(answers), ["200 search 1"])
        XCTAssertEqual(answers.count, 32)
    }

    func testAnAnswerThatIsNotKeptIsSearchedByEachWaiter() async throws {
        let cache = PublicResponseCache(seconds: 5)
        let searches = NIOLockedValueBox(0)
        let answers = try await ask(cache, "page 土", times: 8) {
            searches.withLockedValue { $0 += 1 }
            try await Task.sleep(for: .milliseconds(50))
            return Self.answer("busy", status: .serviceUnavailable)
        }
        XCTAssertEqual(searches.withLockedValue { $0 }, 8, "a 503 is never handed on: each request asks itself")
        XCTAssertEqual(Set(answers), ["503 busy"])
    }

    func testAFailedSearchReleasesItsWaiters() async throws {
        struct Hiccup: Error {}
        let cache = PublicResponseCache(seconds: 5)
        let searches = NIOLockedValueBox(0)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    do {
                        _ = try await cache.response(for: "api 莓") {
                            searches.withLockedValue { $0 += 1 }
                            try await Task.sleep(for: .milliseconds(50))
                            throw Hiccup()
                        }
                        return true
                    } catch { return false }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(outcomes, Array(repeating: false, count: 6), "every request ends, none hangs")
        XCTAssertEqual(searches.withLockedValue { $0 }, 6)
        let after = try await cache.response(for: "api 莓") { Self.answer("found") }
        XCTAssertEqual(after.body.string, "found", "nothing is left searching")
    }

    func testAChangeToTheCatalogueIsNotAnsweredFromBefore() async throws {
        let cache = PublicResponseCache(seconds: 60)
        _ = try await cache.response(for: "page 梨") { Self.answer("old") }
        CatalogueGeneration.advance()
        let after = try await cache.response(for: "page 梨") { Self.answer("new") }
        XCTAssertEqual(after.body.string, "new")
    }

    /// Answers kept at the same moment expire together: while one request searches an expired answer afresh, the
    /// others are given the one just expired, then the new one.
    func testAnExpiredAnswerIsGivenWhileOneRequestSearchesItAfresh() async throws {
        let cache = PublicResponseCache(seconds: 1)
        _ = try await cache.response(for: "page 橘") { Self.answer("old") }
        try await Task.sleep(for: .milliseconds(1_100))
        let slowSearch: @Sendable () async throws -> Response = {
            try await Task.sleep(for: .milliseconds(800))
            return Self.answer("new")
        }
        let refreshing = Task { try await cache.response(for: "page 橘", make: slowSearch) }
        try await Task.sleep(for: .milliseconds(300))
        let searches = NIOLockedValueBox(0)
        let meanwhile = try await ask(cache, "page 橘", times: 8) {
            searches.withLockedValue { $0 += 1 }
            return Self.answer("searched again")
        }
        XCTAssertEqual(Set(meanwhile), ["200 old"])
        XCTAssertEqual(searches.withLockedValue { $0 }, 0, "one search for the key, not one per waiting citizen")
        let refreshed = try await refreshing.value
        XCTAssertEqual(refreshed.body.string, "new")
        let after = try await cache.response(for: "page 橘") { Self.answer("searched again") }
        XCTAssertEqual(after.body.string, "new")
    }

    /// An answer expired for longer than an interval, or from before a change to the catalogue, is never given.
    func testAnAnswerLongExpiredOrFromBeforeAChangeIsNotGivenWhileSearched() async throws {
        let cache = PublicResponseCache(seconds: 1)
        _ = try await cache.response(for: "page 桃") { Self.answer("old") }
        try await Task.sleep(for: .milliseconds(2_100))
        let late = try await ask(cache, "page 桃", times: 8) {
            try await Task.sleep(for: .milliseconds(100))
            return Self.answer("new")
        }
        XCTAssertEqual(Set(late), ["200 new"])
        _ = try await cache.response(for: "page 杏") { Self.answer("old") }
        try await Task.sleep(for: .milliseconds(1_100))
        CatalogueGeneration.advance()
        let changed = try await ask(cache, "page 杏", times: 8) {
            try await Task.sleep(for: .milliseconds(100))
            return Self.answer("new")
        }
        XCTAssertEqual(Set(changed), ["200 new"])
    }
}
