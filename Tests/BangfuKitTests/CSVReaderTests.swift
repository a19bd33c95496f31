import BangfuKit
import Foundation
import XCTest

/// The streaming reader gives the same rows as the in-memory parser, across block boundaries that fall
/// inside characters, quotes and line ends.
final class CSVReaderTests: XCTestCase {
    func testStreamedRowsEqualParsedRowsAcrossBlocks() throws {
        var text = "\u{FEFF}订单号,采购单位,备注\r\n"
        for i in 0..<60_000 {
            text += "832-\(i),云阳县人民医院,\(i % 7 == 0 ? "\"带,逗号与\"\"引号\"\"\"" : "土豆\(i)")\n"
        }
        text += "last,无换行结尾,完"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csvreader-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertGreaterThan(text.utf8.count, 2 << 20, "spans several 1 MiB blocks")

        var reader = try CSVReader(url: url)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        reader.close()
        XCTAssertEqual(rows, CSV.parse(text))
        XCTAssertEqual(reader.row, 60_002)
        XCTAssertEqual(rows[8][2], "带,逗号与\"引号\"")
    }
}
