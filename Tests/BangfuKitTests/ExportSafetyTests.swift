@testable import BangfuKit
import XCTest

/// Exports that cannot run formulas, text without controls, and both surviving a round trip.
final class ExportSafetyTests: XCTestCase {
    func testCellsThatWouldRunAsFormulasGetAnApostrophe() {
        for cell in ["=HYPERLINK(\"http://x\",\"点我\")", "+86 139", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1"] {
            XCTAssertEqual(FormulaGuard.neutralised(cell), "'" + cell, cell)
            XCTAssertEqual(FormulaGuard.restored(FormulaGuard.neutralised(cell)), cell)
        }
        for cell in ["'=SUM(A1)", "''@x"] {   // found by FuzzValues: already-quoted text must survive too
            XCTAssertEqual(FormulaGuard.restored(FormulaGuard.neutralised(cell)), cell)
        }
        for cell in ["-90", "+3", "-1.25", "云阳红橙", "", "90元", "'quoted"] {
            XCTAssertEqual(FormulaGuard.neutralised(cell), cell, cell)
        }
    }

    func testCSVAndWorkbookExportsAreNeutralisedAndReadBackUnchanged() throws {
        let rows = [["名称", "金额"], ["=HYPERLINK(\"http://x\")", "-90"], ["@cmd", "3"]]
        XCTAssertEqual(CSV.line(rows[1]), #""'=HYPERLINK(""http://x"")",-90"#)
        let read = try XLSX.read(try XLSX.write(sheetName: "s", rows: rows))
        XCTAssertEqual(read[1][0], "'=HYPERLINK(\"http://x\")", "the workbook holds the inert text")
        let table = try FormTable(read, anchor: "名称", aliases: ["名称": ["名称"], "金额": ["金额"]], required: ["名称"],
            form: "t")
        XCTAssertEqual(table.lines.map { $0["名称"] }, ["=HYPERLINK(\"http://x\")", "@cmd"],
            "imports take the apostrophe off")
    }

    func testControlAndBidiCharactersAreFoundAndCleaned() {
        for bad in ["a\u{0}b", "\u{202E}gnp.exe", "x\u{1B}[31m", "\u{7F}", "\u{85}", "a\u{2066}b"] {
            XCTAssertFalse(TextHygiene.isClean(bad), bad.debugDescription)
            XCTAssertTrue(TextHygiene.isClean(TextHygiene.cleaned(bad)))
        }
        XCTAssertTrue(TextHygiene.isClean("两行\n文字\t制表"))
        XCTAssertEqual(TextHygiene.cleaned("云阳\u{0}红橙"), "云阳红橙")
    }

    func testAWorkbookWithAControlCharacterStaysReadable() throws {
        let read = try XLSX.read(try XLSX.write(sheetName: "s", rows: [["a\u{0}b\u{1}c"]]))
        XCTAssertEqual(read, [["abc"]])
    }
}
