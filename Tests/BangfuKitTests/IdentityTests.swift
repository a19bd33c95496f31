import BangfuKit
import XCTest

/// Real, public examples: companies' published credit codes and the standard's own ID examples.
final class IdentityTests: XCTestCase {
    func testOnlyAnOrganisationsOwnNameIsShownUnmasked() {
        XCTAssertTrue(SellerName.namesOrganisation("龙角镇柑橘合作社"))
        XCTAssertTrue(SellerName.namesOrganisation("泥溪镇黄岭村股份经济合作联合社"))
        XCTAssertFalse(SellerName.namesOrganisation("示例村张三"), "a person named with the village")
        XCTAssertFalse(SellerName.namesOrganisation("合作社王五"))
        XCTAssertTrue(SellerName.isOrganisation("示例村张三"), "sealing still errs on the safe side")
    }

    func testCreditCodesOfRealCompaniesPass() {
        for code in ["915002357980136271", "914403001922038216", "9144030071526726XG", "91330100716105852F", "91110000802100433B"] {
            XCTAssertNotNil(CreditCode(code), code)
        }
        XCTAssertEqual(CreditCode("915002357980136271")?.regionPrefix, "500235")
        XCTAssertNotNil(CreditCode("9144030071526726xg"), "lower case is read as upper case")
    }

    func testCreditCodesThatMustFail() {
        for code in ["915002357980136272", "911100001000000000", "91440300192203821", "9144030071526726XGX",
                     "I14403001922038216", "91440300192203821O"] {
            XCTAssertNil(CreditCode(code), code)
        }
    }

    func testResidentIDsFromTheStandardPass() {
        XCTAssertNotNil(ResidentID("11010519491231002X"))
        XCTAssertNotNil(ResidentID("440524188001010014"))
        XCTAssertNotNil(ResidentID("11010519491231002x"))
        XCTAssertEqual(ResidentID("440524188001010014")?.countyPrefix, "440524")
    }

    func testResidentIDsThatMustFail() {
        XCTAssertNil(ResidentID("110105194912310021"), "wrong check digit")
        XCTAssertNil(ResidentID("110105194902300020"), "30 February, right check digit")
        XCTAssertNil(ResidentID("11010519491231002"), "17 characters")
        XCTAssertNil(ResidentID("1101051949123100XX"))
    }

    func testMasks() {
        XCTAssertEqual(Mask.name("王小明"), "王某某")
        XCTAssertEqual(Mask.name("欧阳娜娜"), "欧某某")
        XCTAssertEqual(Mask.idNumber("500235199001011234"), "5002****1234")
        XCTAssertEqual(Mask.phone("17723635558"), "177****5558")
        XCTAssertEqual(Mask.phone("123"), "***")
    }
}

extension IdentityTests {
    func testNumbersInFreeTextAreMasked() {
        XCTAssertEqual(Mask.numbers(in: "联系赵秘密13912345678，身份证50023519650312001X"), "联系赵秘密139****5678，身份证5002****001X")
        XCTAssertEqual(Mask.numbers(in: "每箱10斤，2026年上市"), "每箱10斤，2026年上市")
        XCTAssertEqual(Mask.numbers(in: ""), "")
    }
}
