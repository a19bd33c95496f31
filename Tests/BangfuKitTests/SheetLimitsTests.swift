@testable import BangfuKit
import Foundation
import XCTest
import ZIPFoundation

/// The sheet reader against hostile workbooks: every size bounded, refused with the limit named, never a trap.
final class SheetLimitsTests: XCTestCase {
    /// A workbook whose only sheet is `xml`, deflated; `declaring` overrides the size the directory declares.
    static func workbook(_ xml: String, method: CompressionMethod = .deflate) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        let bytes = Data(xml.utf8)
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(bytes.count),
                             compressionMethod: method) { pos, size in bytes.subdata(in: Int(pos)..<Int(pos) + size) }
        return try XCTUnwrap(archive.data)
    }

    static func sheet(_ cells: String) -> String {
        #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"# + cells
            + "</sheetData></worksheet>"
    }

    func refusal(_ data: Data, limits: SheetLimits = .standard) -> String? {
        do {
            _ = try XLSX.read(data, limits: limits)
            return nil
        } catch let e as XLSX.Unreadable {
            return e.description
        } catch {
            return "\(error)"
        }
    }

    func testRowNumbersPastTheGridAreRefusedNotOverflowed() throws {
        for r in ["9223372036854775807", "-9223372036854775808", "0", "1048577", "99999999999999999999"] {
            let data = try Self.workbook(Self.sheet(#"<row r="\#(r)"><c t="inlineStr"><is><t>x</t></is></c></row>"#))
            XCTAssertEqual(refusal(data)?.contains("1048576 行"), true, "row \(r)")
        }
    }

    func testColumnReferencesPastXFDAreRefused() throws {
        for ref in ["AAAAAAAAAAAAAAAAAAAAAAAA1", "XFE1", "ZZZ1", "1A"] {
            let data = try Self.workbook(Self.sheet(#"<row r="1"><c r="\#(ref)" t="inlineStr"><is><t>x</t></is></c></row>"#))
            XCTAssertEqual(refusal(data)?.contains("16384 列"), true, "column \(ref)")
        }
        let last = try Self.workbook(Self.sheet(#"<row r="1"><c r="XFD1"><v>7</v></c></row>"#))
        XCTAssertEqual(try XLSX.read(last).first?.last, "7", "Excel's last column is read")
    }

    func testBlanksThatWouldPassTheCellLimitAreRefused() throws {
        var limits = SheetLimits()
        limits.cells = 1000
        let far = try Self.workbook(Self.sheet(#"<row r="1"><c r="A1"><v>1</v></c><c r="ZZ1"><v>2</v></c></row>"#))
        XCTAssertNil(refusal(far, limits: .standard))
        var tight = SheetLimits()
        tight.cells = 100
        XCTAssertEqual(refusal(far, limits: tight)?.contains("单元格总数"), true, "702 padded cells")
        XCTAssertNotNil(limits)
    }

    func testAZipBombStopsAtTheRatio() throws {
        let zeros = String(repeating: "0", count: 8 << 20)
        let bomb = try Self.workbook(Self.sheet("<row><c><v>\(zeros)</v></c></row>"))
        XCTAssertLessThan(bomb.count, 100_000, "8 MB of zeros deflates a thousandfold")
        XCTAssertEqual(refusal(bomb)?.contains("压缩比"), true)
    }

    func testAnEntryThatLiesAboutItsSizeStopsAtTheLimit() throws {
        var limits = SheetLimits()
        limits.entryBytes = 4096
        limits.inflationRatio = 10_000
        let text = Self.sheet("<row><c><v>\(String(repeating: "1", count: 100_000))</v></c></row>")
        var data = try Self.workbook(text)
        // The central directory's uncompressed size (offset 24 of its record) says 100 bytes.
        let record = try XCTUnwrap(data.range(of: Data([0x50, 0x4B, 0x01, 0x02]))).lowerBound
        data.replaceSubrange((record + 24)..<(record + 28), with: [100, 0, 0, 0])
        XCTAssertEqual(refusal(data, limits: limits)?.contains("解压后不超过"), true)
    }

    func testBrokenArchivesAreRefusedWithoutTrapping() throws {
        let good = try Self.workbook(Self.sheet(#"<row r="1"><c r="A1"><v>1</v></c></row>"#))
        let eocd = try XCTUnwrap(good.range(of: Data([0x50, 0x4B, 0x05, 0x06]), options: .backwards)).lowerBound
        var pastEnd = good
        pastEnd.replaceSubrange((eocd + 16)..<(eocd + 20), with: [0xF0, 0xFF, 0xFF, 0x7F])
        var zip64 = good
        zip64.replaceSubrange((eocd + 10)..<(eocd + 12), with: [0xFF, 0xFF])
        var truncated = good
        truncated.removeLast(30)
        var garbled = good
        let payload = try XCTUnwrap(good.range(of: Data([0x50, 0x4B, 0x03, 0x04]))).lowerBound + 60
        garbled.replaceSubrange(payload..<(payload + 8), with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        for (name, data) in [("offset past end", pastEnd), ("zip64", zip64), ("truncated", truncated),
                             ("garbled deflate", garbled), ("empty", Data()), ("not a zip",
                                 Data("PK\u{3}\u{4}".utf8))] {
            XCTAssertNotNil(refusal(data), name)
        }
    }

    func testAStoredEntryReadsAsWritten() throws {
        let stored = try Self.workbook(Self.sheet(#"<row r="2"><c r="B2" t="inlineStr"><is><t>土豆</t></is></c></row>"#),
                                       method: .none)
        XCTAssertEqual(try XLSX.read(stored), [[], ["", "土豆"]])
    }

    /// Found by FuzzSheets: Foundation's XMLParser trapped on an element name that is not UTF-8, and a <row>
    /// nested in a cell stored the cell at column -1.
    func testFuzzFindingsAreRefusedNotTraps() throws {
        let archive = try Archive(data: Data(), accessMode: .create)
        let bytes = Data([0x3c, 0x61, 0x3e, 0x3c, 0xe8, 0xe8, 0x2f, 0x3e, 0x3c, 0x2f, 0x61, 0x3e])
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(bytes.count),
                             compressionMethod: .none) { pos, size in bytes.subdata(in: Int(pos)..<Int(pos) + size) }
        XCTAssertEqual(refusal(try XCTUnwrap(archive.data))?.contains("UTF-8"), true)
        let nested = try Self.workbook(#"<w><c r="A1"><row/><v>1</v></c></w>"#)
        XCTAssertNotNil(refusal(nested))
    }
}
