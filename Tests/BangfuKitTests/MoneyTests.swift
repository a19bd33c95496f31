import BangfuKit
import XCTest

final class MoneyTests: XCTestCase {
    func testParsesWhatFormsContain() {
        XCTAssertEqual(Fen.parse("90"), Fen(9000))
        XCTAssertEqual(Fen.parse("90元"), Fen(9000))
        XCTAssertEqual(Fen.parse(" 3.5 "), Fen(350))
        XCTAssertEqual(Fen.parse("1.2万"), Fen(1_200_000))
        XCTAssertEqual(Fen.parse("6000万元"), Fen(6_000_000_000))
        XCTAssertEqual(Fen.parse("¥1,200.05"), Fen(120_005))
        XCTAssertEqual(Fen.parse("１２"), nil, "full-width digits are not read as a number")
        XCTAssertEqual(Fen.parse("\u{3000}90.50元\u{3000}"), Fen(9050), "full-width spaces are trimmed")
        XCTAssertEqual(Fen.parse("3.500"), Fen(350), "zeros finer than a 分 are exact")
        XCTAssertEqual(Fen.parse("1.2345万"), Fen(1_234_500))
        XCTAssertEqual(Fen.parse("-8.5"), Fen(-850))
        XCTAssertEqual(Fen.parse("999999999999.99"), Fen(99_999_999_999_999))
        XCTAssertEqual(Fen.parse("¥￥5"), Fen(500), "each sign once, in that order")
    }

    func testRefusesWhatIsNotAnExactAmount() {
        for bad in ["三元", "1.234", "", "元", "1e3", "abc", "1.2.3", ".5", "5.", "1.23456789万", "1000000000000", "1 000", "--5", "0x10"] {
            XCTAssertNil(Fen.parse(bad), bad)
        }
        // Read by Unicode scalars: a sign, comma or 元 with a mark on it leaves the mark, which is no digit.
        for marked in ["-\u{301}5", ",\u{301}5", "¥\u{301}5", "5元\u{301}", "5\u{301}", "5\r\n元", "￥¥5", "5万万"] {
            XCTAssertNil(Fen.parse(marked), marked.debugDescription)
        }
    }

    func testFormatsForPagesAndSheets() {
        XCTAssertEqual(Fen(123_456_789).description, "1,234,567.89元")
        XCTAssertEqual(Fen(-5).description, "-0.05元")
        XCTAssertEqual(Fen(123_456_789).wanText, "123.46万元", "rounded half up to the 百元")
        XCTAssertEqual(Fen(999_999).wanText, "9,999.99元", "below 1万元: exact")
        XCTAssertEqual(Fen(-1_234_500).wanText, "-1.23万元")
        XCTAssertEqual(Fen.parse(Fen(123_456_789).description), Fen(123_456_789), "pages' amounts read back")
        XCTAssertEqual(Fen(9000).yuanString, "90.00")
        XCTAssertEqual((Fen(1) + Fen(2) - Fen(4)).value, -1)
    }
}

extension MoneyTests {
    /// Found by FuzzValues: 万 amounts passed the 12-digit rule before the shift and reached 10¹⁸ 分, which does
    /// not write back as text that reads again, and ten such rows overflow a sum.
    func testAmountsInWanStopAtTheSameCeiling() {
        XCTAssertNil(Fen.parse("162500235100万"))
        XCTAssertEqual(Fen.parse("99999999.99万")?.value, 99_999_999_990_000)
        XCTAssertNil(Fen.parse("100000000万"))
    }
}

extension MoneyTests {
    func testSeedTextIsHowTheFormsWriteAmountsAndReadsBack() {
        XCTAssertEqual(Fen(9_000).seedText, "90元")
        XCTAssertEqual(Fen(123_450).seedText, "1234.5元")
        XCTAssertEqual(Fen(-9_000).seedText, "-90元")
        XCTAssertEqual(Fen(-12_345).seedText, "-123.45元", "a reversing entry's fraction keeps its sign")
        for fen in [Fen(1), Fen(9_000), Fen(123_456_789)] { XCTAssertEqual(Fen.parse(fen.seedText), fen) }
    }
}
