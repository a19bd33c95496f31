@testable import BangfuKit
import XCTest

/// Slices forced, so the slicing is checked whatever the machine's cores.
final class ConcurrentMapTests: XCTestCase {
    func testEverySliceIsMappedOnceAndInOrder() {
        let numbers = Array(0..<10_001)
        for slices in [2, 3, 7, 64] {
            XCTAssertEqual(numbers.concurrentMap(slices: slices) { $0 * 2 }, numbers.map { $0 * 2 }, "\(slices) slices")
        }
    }

    func testMoreSlicesThanElementsGiveOneEach() {
        XCTAssertEqual(Array(0..<5).concurrentMap(slices: 8) { $0 + 1 }, [1, 2, 3, 4, 5])
        XCTAssertEqual(Array(0..<5).concurrentMap(minimumSlice: 1) { $0 + 1 }, [1, 2, 3, 4, 5])
    }

    func testSmallOrEmptyArraysStayOnTheCallersThread() {
        XCTAssertEqual([3].concurrentMap(minimumSlice: 0) { $0 + 1 }, [4])
        XCTAssertEqual([Int]().concurrentMap { $0 }, [])
        XCTAssertEqual([Int]().concurrentMap(slices: 4) { $0 }, [])
    }
}
