import BangfuKit
import Foundation
import XCTest

final class CatalogueTests: XCTestCase {
    func testValuesAsTheSeedWritesThem() {
        XCTAssertEqual(Quantity.parse("30斤"), Quantity(thousandths: 30_000, unit: "斤"))
        XCTAssertEqual(Quantity.parse("2.5 吨")?.description, "2.5吨")
        XCTAssertNil(Quantity.parse("三十斤"))
        XCTAssertNil(Quantity.parse("-5斤"))
        XCTAssertNil(Quantity.parse("30"), "a quantity needs its unit")
        XCTAssertEqual(Quantity.parse("0.125公斤"), Quantity(thousandths: 125, unit: "公斤"))
        XCTAssertEqual(Quantity.parse("12.斤"), Quantity(thousandths: 12_000, unit: "斤"))
        XCTAssertEqual(Quantity.parse("\u{3000}30 斤 "), Quantity(thousandths: 30_000, unit: "斤"))
        XCTAssertNil(Quantity.parse("0.0005斤"), "finer than a thousandth")
        XCTAssertNil(Quantity.parse("1.2.3斤"))
        XCTAssertNil(Quantity.parse(".5斤"))
        XCTAssertNil(Quantity.parse("0斤"))
        XCTAssertNil(Quantity.parse("1234567890123456斤"), "more digits than a count of thousandths holds")
        XCTAssertEqual(Quantity.parse("123456789012345斤")?.thousandths, 123_456_789_012_345_000)
        XCTAssertEqual(UnitPrice.parse("3元/斤"), UnitPrice(fen: Fen(300), unit: "斤"))
        XCTAssertEqual(UnitPrice.parse("3.5元／公斤")?.fen, Fen(350))
        XCTAssertEqual(UnitPrice.parse("4.50元/斤")?.description, "4.5元/斤")
        XCTAssertEqual(UnitPrice.parse("3元/斤")?.description, "3元/斤")
        XCTAssertNil(UnitPrice.parse("三元"))
        XCTAssertNil(UnitPrice.parse("0元/斤"))
        XCTAssertNil(UnitPrice.parse("4/\r\u{0321}"),
                     "a unit with a control character or a bare combining mark (the values fuzzer)")
        XCTAssertNil(Quantity.parse("5\u{0301}斤"))
        XCTAssertNil(Quantity.parse("5斤\t箱"))
        XCTAssertEqual(Contact.parse("李xx 17723635558"), Contact(name: "李xx", phone: "17723635558"))
        XCTAssertNil(Contact.parse("李xx"))
        XCTAssertEqual(Contact.parse(" ，李四：177-2363 5558 "), Contact(name: "李四", phone: "17723635558"),
                       "separators around the name, dashes and spaces in the phone")
        XCTAssertEqual(Contact.parse("：\t李四\u{3000}17723635558")?.name, "李四",
                       "white space of any kind around the name (the values fuzzer: a tab after the colon stayed)")
        XCTAssertNil(Contact.parse("李四 177236"), "too short for a phone")
        XCTAssertNil(Contact.parse("17723635558"), "no name")
        XCTAssertNil(Contact.parse("李四 1\u{0301}7723635558"), "a combining mark inside the phone")
        XCTAssertTrue(Quantity.isUnit("公斤"))
        XCTAssertFalse(Quantity.isUnit("\u{0301}斤"), "a combining mark cannot start a unit")
        XCTAssertFalse(Quantity.isUnit("公\u{200B}斤"), "a format character inside")
        XCTAssertFalse(Quantity.isUnit("公\u{3000}斤"), "a full-width space inside")
        XCTAssertEqual(ProductCategory.guess(for: "土豆"), .vegetable)
        XCTAssertEqual(ProductCategory.guess(for: "云阳红橙"), .fruit)
    }

    func testOffersGoStaleAfterACalendarMonth() {
        let updated = LocalDate(year: 2026, month: 1, day: 31)
        XCTAssertFalse(Freshness.isStale(updated: updated, today: LocalDate(year: 2026, month: 2, day: 27)))
        XCTAssertFalse(Freshness.isStale(updated: updated, today: LocalDate(year: 2026, month: 2, day: 28)))
        XCTAssertTrue(Freshness.isStale(updated: updated, today: LocalDate(year: 2026, month: 3, day: 1)))
        XCTAssertTrue(Freshness.isStale(updated: LocalDate(year: 2025, month: 12, day: 15), today: LocalDate(year: 2026, month: 1, day: 15)))
    }

    let sample: [[String]] = [
        ["乡镇（街道）贫困户农特产品待销目录"],
        ["填写单位：龙角镇人民政府    填写人：张三    联系电话：023-55555555    填写日期：2026.11.1"],
        ["序号", "地区", "贫困户姓名", "产品品种", "计划销量", "销售价格（元）", "供货方式", "网店网址", "供货联系人\n及联系方式", "备注"],
        ["1", "云阳县龙角镇示例村", "王某某", "土豆", "30斤", "3元/斤", "送货上门", "", "李xx 17723635558", ""],
        ["", "", "", "", "", "", "", "", "", ""],
        ["2", "云阳县龙角镇示例村", "张某某", "红橙", "500斤", "4.5元/斤", "电商", "https://shop.example.cn/1", "李xx 17723635558", "预售"],
    ]

    let resolve: @Sendable (String) -> RegionCode? = { $0.hasSuffix("示例村") ? RegionCode("500235105201") : nil }

    func testReadsTheFormAsOfficesFillIt() throws {
        let sheet = try Attachment1.parse(sample, resolve: resolve)
        XCTAssertEqual(sheet.header.unit, "龙角镇人民政府")
        XCTAssertEqual(sheet.header.filler, "张三")
        XCTAssertEqual(sheet.header.date, "2026.11.1")
        XCTAssertEqual(sheet.rows.count, 2)
        XCTAssertEqual(sheet.rows[1].line, 6)
        XCTAssertEqual(sheet.rows[1].price.fen, Fen(450))
        XCTAssertEqual(sheet.rows[1].method, .online)
        XCTAssertEqual(sheet.rows[0].contact.phone, "17723635558")
    }

    func testReportsEveryBadRowByRowAndColumn() {
        var bad = sample
        bad[3][5] = "三元"
        bad[5][4] = "-5斤"
        bad[5][1] = "外县某村"
        bad.append(["3", "云阳县龙角镇示例村", "王某某", "土豆", "30斤", "3元/斤", "送货上门", "", "李xx 17723635558", ""])
        XCTAssertThrowsError(try Attachment1.parse(bad, resolve: resolve)) { error in
            let e = (error as! ImportRejected).errors
            XCTAssertEqual(e.map(\.row), [4, 6, 6, 7])
            XCTAssertEqual(e.map(\.column), ["销售价格（元）", "地区", "计划销量", "产品品种"])
            XCTAssertEqual(e.last?.code, "duplicate")
            XCTAssertTrue(e[0].message.contains("三元"))
        }
    }

    /// A sheet large enough to be read in slices on every core: rows in order, and the checks between lines (a
    /// repeat of a line in another slice) and each line's own reported with the sheet's row numbers.
    func testALargeSheetReadInSlicesKeepsOrderAndFindsRepeatsAcrossThem() throws {
        let line = { (i: Int) in
            ["\(i)", "云阳县龙角镇示例村", "户主\(i)", "土豆", "\(i)斤", "3元/斤", "送货上门", "",
             "李xx 17723635558", ""]
        }
        var big = Array(sample[0..<3]) + (1...12_000).map(line)
        let sellers = try Attachment1.parse(big, resolve: resolve).rows.map(\.seller)
        XCTAssertEqual(sellers, (1...12_000).map { "户主\($0)" })
        big[11_003] = line(7)
        big[9_003][5] = "三元"
        XCTAssertThrowsError(try Attachment1.parse(big, resolve: resolve)) { error in
            let e = (error as! ImportRejected).errors
            XCTAssertEqual(e.map(\.row), [9_004, 11_004])
            XCTAssertEqual(e.map(\.code), ["invalid", "duplicate"])
            XCTAssertEqual(e.last?.message, "与第10行重复（同一地区、同一户、同一品种）")
        }
    }

    func testRefusesAWrongHeader() {
        let wrong = [["名称", "数量"], ["土豆", "30斤"]]
        XCTAssertEqual((try? Attachment1.parse(wrong, resolve: resolve)) == nil, true)
        var missing = sample
        missing[2][6] = "方式"
        XCTAssertThrowsError(try Attachment1.parse(missing, resolve: resolve)) {
            XCTAssertTrue(($0 as! ImportRejected).errors[0].message.contains("供货方式"))
        }
    }

    func testGBKBytesDecode() throws {
        let text = "地区,产品品种\n云阳县,土豆\n"
        let gbk = try XCTUnwrap(TextDecoding.encodeGB18030(text))
        XCTAssertNil(String(data: gbk, encoding: .utf8))
        XCTAssertEqual(TextDecoding.decode(gbk), text)
        XCTAssertEqual(TextDecoding.decode(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)), text)
    }

    func testXLSXRoundTrip() throws {
        let rows = Attachment1.sheet(header: .init(unit: "龙角镇", filler: "张三", phone: "1", date: "2026-11-01"),
                                     rows: [["云阳县龙角镇示例村", "王某某", "土豆", "30斤", "3元/斤", "送货上门", "", "李xx 17723635558", "a<b&c"]])
        let back = try XLSX.read(try XLSX.write(sheetName: "附件1", rows: rows))
        XCTAssertEqual(back[3][1], "云阳县龙角镇示例村")
        XCTAssertEqual(back[3][9], "a<b&c")
        XCTAssertEqual(back[2], Attachment1.columns)
        XCTAssertEqual(try Attachment1.parse(back, resolve: resolve).rows.first?.variety, "土豆")
    }
}

final class CertificationTests: XCTestCase {
    let nov1 = LocalDate(year: 2026, month: 11, day: 1)

    func walk(_ events: [CertificationEvent]) throws -> CertificationRecord {
        try events.reduce(CertificationRecord()) { try Certification.apply($1, to: $0) }
    }

    func testTheWholeWayToACertificate() throws {
        let r = try walk([.townshipApprove, .countyApprove, .publish(on: nov1, days: 7),
                          .conclude(on: LocalDate(year: 2026, month: 11, day: 8), validMonths: 24)])
        XCTAssertEqual(r.state, .certified)
        XCTAssertEqual(r.publicityEnds, LocalDate(year: 2026, month: 11, day: 8))
        XCTAssertEqual(r.validUntil, LocalDate(year: 2028, month: 11, day: 8))
        XCTAssertTrue(r.counts(on: LocalDate(year: 2028, month: 11, day: 7)))
        XCTAssertFalse(r.counts(on: LocalDate(year: 2028, month: 11, day: 8)), "expired on its expiry date")
    }

    func testStepsThatDoNotApplyAreRefused() throws {
        XCTAssertThrowsError(try walk([.countyApprove])) { XCTAssertEqual(($0 as! TransitionRefused).code, "not_allowed") }
        XCTAssertThrowsError(try walk([.townshipApprove, .countyApprove, .publish(on: nov1, days: 7),
                                       .conclude(on: LocalDate(year: 2026, month: 11, day: 7), validMonths: 24)])) {
            XCTAssertEqual(($0 as! TransitionRefused).code, "publicity_open")
        }
        XCTAssertThrowsError(try walk([.townshipReject(reason: " ")])) { XCTAssertEqual(($0 as! TransitionRefused).code, "reason_required") }
        XCTAssertThrowsError(try walk([.townshipApprove, .countyApprove, .publish(on: nov1, days: 2)]))
        XCTAssertThrowsError(try walk([.townshipReject(reason: "材料不全"), .townshipApprove]))
    }

    func testObjectionsSuspensionsAndRevocation() throws {
        let inPublicity = try walk([.townshipApprove, .countyApprove, .publish(on: nov1, days: 7)])
        XCTAssertEqual(try Certification.apply(.upholdObjection(reason: "以次充好"), to: inPublicity).state, .rejected)
        let certified = try Certification.apply(.conclude(on: LocalDate(year: 2026, month: 11, day: 9), validMonths: 12), to: inPublicity)
        let suspended = try Certification.apply(.suspend(reason: "抽检不合格"), to: certified)
        XCTAssertFalse(suspended.counts(on: LocalDate(year: 2026, month: 12, day: 1)))
        XCTAssertEqual(try Certification.apply(.reinstate, to: suspended).state, .certified)
        let renewed = try Certification.apply(.renew(until: LocalDate(year: 2028, month: 1, day: 1)), to: certified)
        XCTAssertEqual(renewed.validUntil, LocalDate(year: 2028, month: 1, day: 1))
        XCTAssertThrowsError(try Certification.apply(.renew(until: LocalDate(year: 2027, month: 1, day: 1)), to: certified))
        XCTAssertEqual(try Certification.apply(.revoke(reason: "投诉查实"), to: suspended).state, .revoked)
        XCTAssertEqual(Certification.nextEvents(from: .revoked), [])
    }
}

final class SearchTermsTests: XCTestCase {
    func testPairsFindSubstrings() {
        let terms = SearchTerms.of("云阳 红橙")
        XCTAssertTrue(Set(SearchTerms.query("红橙")).isSubset(of: terms))
        XCTAssertTrue(Set(SearchTerms.query("阳红")).isSubset(of: terms))
        XCTAssertFalse(Set(SearchTerms.query("红阳")).isSubset(of: terms))
        XCTAssertEqual(SearchTerms.query("橙"), ["橙"])
    }
}

final class LedgerRulesTests: XCTestCase {
    func testWhatCounts() {
        XCTAssertTrue(LedgerCounting.counts(viaPlatform: true, state: .pending, isDuplicate: false), "platform rows count as reported")
        XCTAssertFalse(LedgerCounting.counts(viaPlatform: false, state: .pending, isDuplicate: false), "proof first")
        XCTAssertTrue(LedgerCounting.counts(viaPlatform: false, state: .verified, isDuplicate: false))
        XCTAssertFalse(LedgerCounting.counts(viaPlatform: false, state: .verified, isDuplicate: true))
        XCTAssertFalse(LedgerCounting.counts(viaPlatform: true, state: .rejected, isDuplicate: false))
        XCTAssertTrue(LedgerCounting.awaitsCheck(viaPlatform: false, state: .pending, isReversal: false))
        XCTAssertFalse(LedgerCounting.awaitsCheck(viaPlatform: true, state: .pending, isReversal: false), "counts as reported")
        XCTAssertFalse(LedgerCounting.awaitsCheck(viaPlatform: false, state: .pending, isReversal: true), "follows its original")
        XCTAssertFalse(LedgerCounting.awaitsCheck(viaPlatform: false, state: .verified, isReversal: false))
        XCTAssertFalse(LedgerCounting.awaitsCheck(viaPlatform: false, state: .pending, isReversal: false,
                                                  isDuplicate: true),
                       "a linked duplicate follows the row it duplicates")
        XCTAssertEqual(LedgerCounting.stateName(viaPlatform: true, state: .pending), "平台上报")
        XCTAssertEqual(LedgerCounting.stateName(viaPlatform: false, state: .pending), "待核实")
        XCTAssertEqual(LedgerCounting.stateName(viaPlatform: true, state: .rejected), "未通过")
    }

    func testLikelyDuplicatesAcrossAMonthEnd() {
        let a = LocalDate(year: 2026, month: 1, day: 30), b = LocalDate(year: 2026, month: 2, day: 2)
        XCTAssertEqual(b.ordinalSinceEpoch - a.ordinalSinceEpoch, 3)
        XCTAssertEqual(LocalDate(year: 1970, month: 1, day: 1).ordinalSinceEpoch, 0)
        XCTAssertTrue(LedgerCounting.likelySame(buyer: 1, 1, seller: "k", "k", variety: "土豆", "土豆", amount: Fen(9000), Fen(9000), on: a, b))
        XCTAssertFalse(LedgerCounting.likelySame(buyer: 1, 1, seller: "k", "k", variety: "土豆", "土豆", amount: Fen(9000), Fen(9001), on: a, b))
        XCTAssertFalse(LedgerCounting.likelySame(buyer: 1, 1, seller: "k", "k", variety: "土豆", "土豆", amount: Fen(9000), Fen(9000), on: a, b.adding(days: 1)))
    }
}

extension CatalogueTests {
    /// Found by FuzzValues: "9\n." read as 9 of ".", which wrote back as "9." and no longer read.
    func testAUnitCannotStartWithAPoint() {
        XCTAssertNil(Quantity.parse("9\n."))
        XCTAssertNil(Quantity.parse("9 .\u{36C}"))
        XCTAssertEqual(Quantity.parse("9斤")?.description, "9斤")
    }
}

extension CatalogueTests {
    /// Issue 13, item 12: "100万斤" is a quantity as "1.2万元" is an amount; the API takes Chinese names.
    func testQuantitiesInWanAndChoicesByTheirChineseName() throws {
        XCTAssertEqual(Quantity.parse("100万斤"), Quantity(thousandths: 1_000_000_000, unit: "斤"))
        XCTAssertEqual(Quantity.parse("1.5万 公斤")?.description, "15000公斤")
        XCTAssertNil(Quantity.parse("3万"), "万 with no unit after it is no quantity")
        XCTAssertNil(Quantity.parse("999999999999999万斤"), "past an Int64: refused, not trapped")
        XCTAssertNil(Quantity.parse("500235000000万G"), "found by FuzzValues: past what reads back")
        let purpose: PurchasePurpose = try FormValue.choice("食堂", "purpose", "用途")
        XCTAssertEqual(purpose, .canteen)
        let code: PurchasePurpose = try FormValue.choice("canteen", "purpose", "用途")
        XCTAssertEqual(code, .canteen)
    }

    func testTextIncludesWordsByWholeCharacters() {
        XCTAssertTrue("龙角镇柑橘合作社".includesAny(of: ["公司", "合作社"]))
        XCTAssertTrue("合作社".includesAny(of: ["合作社"]))
        XCTAssertTrue("示例".includesAny(of: [""]))
        XCTAssertFalse("示例".includesAny(of: []), "no word, no match")
        XCTAssertFalse("合作".includesAny(of: ["合作社"]), "longer than the text")
        XCTAssertFalse("张三".includesAny(of: ["合作社", "公司"]))
        XCTAssertTrue("abc合作社".dropFirst(3).includesAny(of: ["作社"]), "a substring too")
        XCTAssertFalse("红薯".includesAny(of: ["薯红"]))
        XCTAssertTrue(SellerName.isOrganisation("示例村张三"), "村 errs on the side of sealing")
        XCTAssertEqual(ProductCategory.guess(for: "高山苹果干"), .fruit)
    }

    func testAListingIsFiledUnderItsNameFiltersAndPlacesAndAQueryWalksOneOfThem() {
        let village = RegionCode("500235105201")!
        let terms = ListingTerms.of(variety: "红橙", category: .fruit, region: village, marks: [.green])
        XCTAssertEqual(terms, ["红", "橙", "红橙", "*", "c:fruit", "r:5002", "r:500235", "r:500235105", "m:green"])
        XCTAssertEqual(ListingTerms.candidates(text: "", category: nil, region: nil, mark: nil), ["*"])
        XCTAssertEqual(ListingTerms.candidates(text: "脐橙", category: .fruit, region: RegionCode("500235000000"),
                                               mark: nil), ["脐橙", "c:fruit", "r:500235"])
        XCTAssertEqual(ListingTerms.candidates(text: "橙", category: nil, region: nil, mark: .organic),
                       ["橙", "m:organic"])
        XCTAssertEqual(ListingTerms.candidates(text: "", category: nil, region: village, mark: nil), ["*"],
                       "a village is narrowed to while walking, not filed under")
    }
}
