import BangfuKit
import XCTest

final class AccessPolicyTests: XCTestCase {
    let yunyang = RegionCode("500235000000")!

    func testAnonymousGetsOnlyPublicPages() {
        for action in Action.allCases where action != .publicPage {
            XCTAssertNil(AccessPolicy.scope(of: nil, for: action), "\(action)")
        }
        XCTAssertEqual(AccessPolicy.scope(of: nil, for: .publicPage), .everything)
    }

    func testOfficeIsScopedToItsRegion() {
        let office = Actor(userID: 1, role: .office, regionCode: yunyang)
        XCTAssertEqual(AccessPolicy.scope(of: office, for: .viewHouseholds), .region(yunyang))
        XCTAssertEqual(AccessPolicy.scope(of: office, for: .readHouseholdIdentity), .region(yunyang))
        XCTAssertNil(AccessPolicy.scope(of: office, for: .manageUsers))
    }

    func testAdministratorCannotReadIdentities() {
        let admin = Actor(userID: 1, role: .admin)
        XCTAssertEqual(AccessPolicy.scope(of: admin, for: .viewHouseholds), .everything)
        XCTAssertNil(AccessPolicy.scope(of: admin, for: .readHouseholdIdentity))
    }

    func testARoleWithoutItsAnchorIsDenied() {
        XCTAssertNil(AccessPolicy.scope(of: Actor(userID: 1, role: .office), for: .viewSuppliers))
        XCTAssertNil(AccessPolicy.scope(of: Actor(userID: 1, role: .buyer), for: .viewBuyers))
        XCTAssertEqual(AccessPolicy.scope(of: Actor(userID: 1, role: .buyer, buyerUnitID: 7), for: .viewBuyers), .buyerUnit(7))
    }

    func testUnitsAndSuppliersNeverSeeHouseholds() {
        for role in [Role.buyer, .supplier, .leadUnit] {
            let a = Actor(userID: 1, role: role, regionCode: yunyang, systemID: 1, buyerUnitID: 1, supplierID: 1)
            XCTAssertNil(AccessPolicy.scope(of: a, for: .viewHouseholds), "\(role)")
        }
    }

    func testFormValuesNameTheirField() {
        XCTAssertThrowsError(try FormValue.residentID("110105194912310021")) {
            XCTAssertEqual(($0 as! FieldError).field, "idNumber")
            XCTAssertEqual(($0 as! FieldError).code, "invalid")
        }
        XCTAssertThrowsError(try FormValue.text("  ", "name", "名称")) {
            XCTAssertEqual($0 as? FieldError, FieldError(field: "name", code: "required", message: "请填写名称"))
        }
    }
}
