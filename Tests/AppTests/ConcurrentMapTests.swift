@testable import App
import XCTest

/// The import's CPU work spread over the cores: the same results, in the same order, errors passed on.
final class ConcurrentMapTests: XCTestCase {
    struct Refused: Error, Equatable { let at: Int }

    func testResultsComeBackInTheElementsOrder() async throws {
        let numbers = Array(0..<10_001)
        let squares = try await numbers.concurrentMap { $0 * $0 }
        XCTAssertEqual(squares, numbers.map { $0 * $0 })
        let few = try await [3, 1, 2].concurrentMap { String($0) }
        XCTAssertEqual(few, ["3", "1", "2"])
    }

    func testAnElementsErrorEndsTheMap() async throws {
        do {
            _ = try await Array(0..<5_000).concurrentMap { i in
                if i == 4_321 { throw Refused(at: i) }
                return i
            }
            XCTFail("the error is passed on")
        } catch let e as Refused {
            XCTAssertEqual(e, Refused(at: 4_321))
        }
    }
}
