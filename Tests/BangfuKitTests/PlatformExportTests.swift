import BangfuKit
import XCTest

final class PlatformExportTests: XCTestCase {
    /// Columns are found by name wherever they stand; the first of two same-named columns wins; blank rows
    /// (full-width spaces too) are skipped; a short row reads its missing cells as empty.
    func testReadsOrdersByTheMappedColumnNames() throws {
        let mapping = PlatformMapping(orderID: "订单号", buyer: "采购单位", date: "下单日期", origin: "产地", seller: "供应商",
                                      variety: "商品名称", quantity: "数量", amount: "订单金额", purpose: "用途", defaultPurpose: .canteen)
        let sheet = [
            ["备注", " 订单金额 ", "订单号", "采购单位", "下单日期", "产地", "供应商", "商品名称", "数量", "用途", "订单号"],
            ["x", "90元", " A1 ", "单位甲", "2026-03-01", "500235101000", "供应商1", "土豆", "30斤", "工会福利", "A9"],
            ["", "\u{3000}", " ", "", "", "", "", "", "", "", ""],
            ["", "12元", "A2", "单位乙"],
        ]
        let orders = try PlatformExport.orders(sheet, mapping: mapping)
        XCTAssertEqual(orders.map(\.line), [2, 4])
        let o = orders[0]
        XCTAssertEqual([o.orderID, o.buyer, o.date, o.origin, o.seller, o.variety, o.quantity, o.amount, o.purpose],
                       ["A1", "单位甲", "2026-03-01", "500235101000", "供应商1", "土豆", "30斤", "90元", "工会福利"])
        XCTAssertEqual(orders[1].amount, "12元")
        XCTAssertEqual(orders[1].seller, "")
        XCTAssertEqual(orders[1].purpose, "")
    }

    func testUnmappedPurposeTakesTheDefaultAndMissingColumnsAreNamed() throws {
        let orders = try PlatformExport.orders([PlatformMapping.p832Header, ["o1", "u", "2026-01-02", "5002", "s", "v", "1斤", "1元"]], mapping: .p832)
        XCTAssertEqual(orders.first?.purpose, PurchasePurpose.canteen.rawValue)
        XCTAssertThrowsError(try PlatformExport.orders([["订单号", "采购单位"]], mapping: .p832)) { error in
            XCTAssertEqual((error as? ImportRejected)?.errors.first?.message, "缺少列：下单日期、产地、供应商、商品名称、数量、订单金额")
        }
    }
}

private extension PlatformMapping {
    static let p832Header = ["订单号", "采购单位", "下单日期", "产地", "供应商", "商品名称", "数量", "订单金额"]
}

/// 带动户数 in 备注, as seed 003's offices write it.
final class HouseholdsTouchedTests: XCTestCase {
    func testTheNumberBefore户IsRead() {
        for (note, n) in [("合作社，带动贫困户12户", 12), ("涉及贫困户12户", 12), ("合作社(12户)", 12), ("合作社（１２户）", 12),
                          ("带动 7 户", 7)] {
            XCTAssertEqual(HouseholdsTouched.read(note), .count(n), note)
        }
    }

    func testACooperativeWithoutANumberIsSaidSoAndOtherNotesSayNothing() {
        XCTAssertEqual(HouseholdsTouched.read("龙角镇柑橘合作社"), .organisationWithoutCount)
        XCTAssertEqual(HouseholdsTouched.read("用于机关食堂"), .unsaid)
        XCTAssertEqual(HouseholdsTouched.read("2026年第3批"), .unsaid)
        XCTAssertEqual(HouseholdsTouched.read("合作社0户"), .organisationWithoutCount, "zero households is no count")
        XCTAssertEqual(HouseholdsTouched.read("合作社99999999999999999999999户"), .organisationWithoutCount,
            "bounded, not trapped")
    }
}
