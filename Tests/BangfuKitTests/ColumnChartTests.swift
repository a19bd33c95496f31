import BangfuKit
import XCTest

final class ColumnChartTests: XCTestCase {
    func testColumnsScaleToTheLargestAndStandOnTheBaseline() {
        let chart = ColumnChart.make([("1月", 100, "100"), ("2月", 50, "50"), ("3月", 0, "0"), ("4月", -20, "-20")],
                                     width: 400, height: 200)
        XCTAssertEqual(chart.columns.map(\.height), [160, 80, 0, 0], "200 less margins; nothing below zero")
        XCTAssertTrue(chart.columns.allSatisfy { $0.y + $0.height == chart.baseline })
        XCTAssertEqual(chart.columns.map(\.x), [20, 120, 220, 320], "centred in equal slots")
        XCTAssertTrue(chart.columns.allSatisfy { $0.x + $0.width <= chart.width })
        XCTAssertEqual(ColumnChart.make([]).columns, [], "an empty year draws no columns")
        XCTAssertEqual(ColumnChart.make([("1月", Int64.max, "x"), ("2月", 1, "y")]).columns.map(\.height), [160, 1],
                       "no overflow at the largest amount; a small value stays visible")
    }
}
