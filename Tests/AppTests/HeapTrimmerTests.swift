@testable import App
import Foundation
import XCTest

/// Issue 18: a server's memory goes back down after large work. Freed memory that glibc kept in its heap (here
/// 96 MiB of blocks, every 64th still in use so that nothing is at the heap's top to shrink) is handed back.
final class HeapTrimmerTests: XCTestCase {
    private func residentHeapKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    func testFreedMemoryKeptByTheHeapIsHandedBack() throws {
        var blocks = (0..<49_152).map { _ in [UInt8](repeating: 1, count: 2_048) }
        blocks = blocks.enumerated().filter { $0.offset % 64 == 63 }.map(\.element)
        let before = try residentHeapKiB()
        XCTAssertTrue(HeapTrimmer.releaseFreedMemory(), "glibc released memory")
        let after = try residentHeapKiB()
        XCTAssertGreaterThan(before - after, 48 * 1_024, "at least half the freed 96 MiB left: \(before) → \(after) KiB")
        XCTAssertEqual(blocks.count, 768)
    }
}
