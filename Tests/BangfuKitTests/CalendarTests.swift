import BangfuKit
import Foundation
import XCTest

final class CalendarTests: XCTestCase {
    func testReadsTheDatesOfficesWrite() {
        let d = LocalDate(year: 2019, month: 9, day: 1)
        for text in ["2019-09-01", "2019.9.1", "2019/9/1", "2019年9月1日", "20190901"] {
            XCTAssertEqual(LocalDate(text), d, text)
        }
        XCTAssertNotNil(LocalDate("2024-02-29"))
        XCTAssertNil(LocalDate("2023-02-29"))
        XCTAssertNil(LocalDate("2019.13.1"))
        XCTAssertNil(LocalDate("九月一日"))
        for text in ["2019-09-01 12:00", "2019-9", "201909011", "2019-09-01-02", "２０１９-9-1", "", "2019--9"] {
            XCTAssertNil(LocalDate(text), text)
        }
        XCTAssertEqual(LocalDate(" 2019-9-1日 "), LocalDate(year: 2019, month: 9, day: 1))
    }

    func testDaysAreReckonedInShanghai() {
        // 2025-12-31 17:30 UTC is already 1 January 2026 in China.
        let instant = Date(timeIntervalSince1970: 1_767_202_200)
        XCTAssertEqual(ShanghaiCalendar.day(of: instant), LocalDate(year: 2026, month: 1, day: 1))
        XCTAssertEqual(ShanghaiCalendar.format(instant), "2026-01-01 01:30")
    }

    func testYearPaceInBasisPoints() {
        XCTAssertEqual(YearPace.basisPoints(through: LocalDate(year: 2025, month: 12, day: 31)), 10_000)
        XCTAssertEqual(YearPace.basisPoints(through: LocalDate(year: 2024, month: 12, day: 31)), 10_000, "leap year")
        XCTAssertEqual(YearPace.basisPoints(through: LocalDate(year: 2025, month: 3, day: 31)), 90 * 10_000 / 365)
        XCTAssertEqual(YearPace.basisPoints(through: LocalDate(year: 2024, month: 3, day: 31)), 91 * 10_000 / 366)
        XCTAssertEqual(LocalDate(year: 2025, month: 7, day: 1).quarter, 3)
    }
}
