import BangfuKit
import XCTest

final class RegionTests: XCTestCase {
    func testLevelsAndSubtrees() throws {
        let yunyang = try XCTUnwrap(RegionCode("500235"))
        XCTAssertEqual(yunyang.digits, "500235000000")
        XCTAssertEqual(yunyang.level, .county)
        let longjiao = try XCTUnwrap(RegionCode("500235105000"))
        XCTAssertEqual(longjiao.level, .township)
        XCTAssertTrue(yunyang.contains(longjiao))
        XCTAssertFalse(longjiao.contains(yunyang))
        XCTAssertFalse(yunyang.contains(RegionCode("500238000000")!), "巫溪 is not under 云阳")
        XCTAssertEqual(RegionCode("500235105201")?.level, .village)
        XCTAssertEqual(longjiao.ancestor(at: .province)?.digits, "500000000000")
        XCTAssertEqual(longjiao.selfAndAncestors.map(\.digits),
                       ["500235105000", "500235000000", "500200000000", "500000000000"],
                       "nearest first")
        XCTAssertEqual(RegionCode("110000000000")?.level, .province)
    }

    func testRealCodesWithZeroPartsAbove() {
        XCTAssertEqual(RegionCode("820001000000")?.level, .county, "澳门 parish")
        XCTAssertEqual(RegionCode("442000100000")?.level, .township, "中山市 town, no county level")
    }

    func testCodesThatMustFail() {
        for bad in ["12345", "5002351050001", "50023510500A", "000000000000", "", "50 0235"] {
            XCTAssertNil(RegionCode(bad), bad)
        }
    }

    func testRegionFileResolvesParentsAcrossSkippedLevels() throws {
        let file = """
        code,name
        500000000000,重庆市
        500200000000,县
        500235000000,云阳县
        420000000000,湖北省
        429004000000,仙桃市
        """
        let records = try RegionFile.parse(file)
        let parents = Dictionary(uniqueKeysWithValues: records.map { ($0.code.digits, $0.parent?.digits) })
        XCTAssertEqual(parents["500235000000"], "500200000000")
        XCTAssertEqual(parents["429004000000"], "420000000000", "省直辖县级市 hangs under the province")
        XCTAssertEqual(parents["500000000000"], .some(nil))
    }

    func testRegionFileReportsEveryBadRow() {
        let file = "code,name,parent,flags\n500235000000,云阳县,,脱贫县\n12345,坏代码\n500235105000,,,\n500235105000,龙角镇,,\n500235105201,村,,未知标记\n"
        XCTAssertThrowsError(try RegionFile.parse(file, known: ["500000000000"])) { error in
            let rows = (error as! ImportRejected).errors
            XCTAssertEqual(rows.map(\.row), [3, 4, 5, 6])
            XCTAssertEqual(rows.map(\.code), ["invalid", "required", "duplicate", "invalid"])
            XCTAssertTrue(rows[0].message.contains("12345"))
        }
    }

    func testRegionFileRefusesAWrongHeader() {
        XCTAssertThrowsError(try RegionFile.parse("代码,名称\n500235000000,云阳县\n")) { error in
            XCTAssertEqual((error as! ImportRejected).errors.first?.code, "bad_header")
        }
    }

    func testCSVQuotesAndBOM() {
        let rows = CSV.parse("\u{FEFF}a,\"b,c\",\"say \"\"hi\"\"\"\r\n1,2,3\n")
        XCTAssertEqual(rows, [["a", "b,c", "say \"hi\""], ["1", "2", "3"]])
        XCTAssertEqual(CSV.line(["x", "y,z", "q\""]), "x,\"y,z\",\"q\"\"\"")
        let breaks = ["a\r\nb", "c\nd", "e\rf"]
        XCTAssertEqual(CSV.line(breaks), "\"a\r\nb\",\"c\nd\",\"e\rf\"", "a line break of either kind is quoted")
        XCTAssertEqual(CSV.parse(CSV.line(breaks) + "\r\n"), [breaks], "and reads back as one row")
    }
}

extension RegionTests {
    func testTheCommonAncestorIsTheLowestRegionHoldingEveryCode() {
        XCTAssertEqual(RegionCode.commonAncestor(of: ["500235105201", "500238100000"])?.digits, "500200000000")
        XCTAssertEqual(RegionCode.commonAncestor(of: ["500235105201", "500235105000"])?.digits, "500235105000")
        XCTAssertEqual(RegionCode.commonAncestor(of: ["500235105201", "530102000000"])?.digits, nil)
        XCTAssertNil(RegionCode.commonAncestor(of: []))
        XCTAssertNil(RegionCode.commonAncestor(of: ["bad"]))
    }
}
