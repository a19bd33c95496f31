import BangfuKit
import XCTest

/// Issue 13: what the row that counts takes from a linked duplicate, and unit names as offices write them.
final class LinkedReportsTests: XCTestCase {
    func report(_ s: PurchaseSource, _ p: PurchasePurpose, _ h: Int?) -> LinkedReports.Report {
        LinkedReports.Report(source: s, purpose: p, householdsTouched: h)
    }

    func testEachFactComesFromTheSideThatKnowsIt() {
        let township = report(.townshipReport, .other, 12), unit = report(.leadUnitReport, .canteen, nil)
        XCTAssertEqual(LinkedReports.taken(counted: township, duplicate: unit), [.purpose])
        XCTAssertEqual(LinkedReports.taken(counted: unit, duplicate: township), [.householdsTouched])
        let saysCanteen = report(.townshipReport, .canteen, 3), saysWelfare = report(.leadUnitReport, .unionWelfare, 5)
        XCTAssertEqual(LinkedReports.taken(counted: saysCanteen, duplicate: saysWelfare), [.purpose],
                       "both speak: the buyer's purpose, the township's households")
        XCTAssertEqual(LinkedReports.taken(counted: saysWelfare, duplicate: saysCanteen), [.householdsTouched])
        XCTAssertEqual(LinkedReports.taken(counted: unit, duplicate: report(.manual, .other, nil)), [],
                       "silence takes nothing")
    }

    func testTheExportedNoteSaysWhatTheRowKnows() {
        XCTAssertEqual(SalesReport.note(kept: "合作社(12户)", purpose: .canteen, households: 12), "合作社(12户)，用于食堂")
        XCTAssertEqual(SalesReport.note(kept: nil, purpose: .other, households: nil), "",
                       "nothing said, nothing written")
        XCTAssertEqual(SalesReport.note(kept: "用于机关食堂", purpose: .canteen, households: 3), "用于机关食堂，带动贫困户3户")
        let written = SalesReport.note(kept: nil, purpose: .unionWelfare, households: 8)
        XCTAssertEqual([PurchasePurpose.guess(from: written)], [.unionWelfare], "reads back")
        XCTAssertEqual(HouseholdsTouched.read(written), .count(8))
    }

    func testNameMatchRanksAbbreviationsFirst() {
        let units = ["云阳县教育委员会", "云阳县人民医院", "云阳县实验中学", "巫溪县人民医院"]
        XCTAssertEqual(NameMatch.closest(to: "云阳实验中学", among: units), ["云阳县实验中学"])
        XCTAssertEqual(NameMatch.closest(to: "云阳县教委", among: units).first, "云阳县教育委员会")
        XCTAssertEqual(NameMatch.closest(to: "县医院", among: units), ["云阳县人民医院", "巫溪县人民医院"])
        XCTAssertEqual(NameMatch.closest(to: String(repeating: "云", count: 101), among: units), [], "bounded work")
        XCTAssertEqual(NameMatch.score("云阳县实验中学", "云阳县实验中学"), 1000)
    }
}
