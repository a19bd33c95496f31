@testable import App
import Crypto
import XCTest

/// The keyed hashes offers are found and compared by: fed part by part, they must equal the hash of the joined text,
/// or every offer kept before would look changed (and its key new) to the next import.
final class FieldCipherTests: XCTestCase {
    func testAHashOfPartsEqualsTheHashOfTheJoinedText() {
        let cipher = FieldCipher(key: SymmetricKey(size: .bits256))
        let parts = ["500235105201", "农户张三", "红心猕猴桃", "", "1500"]
        XCTAssertEqual(cipher.lookupHash(joining: parts, separator: 0x1F),
                       cipher.lookupHash(parts.joined(separator: "\u{1F}")))
        XCTAssertEqual(cipher.lookupHash(joining: Array(parts.prefix(3)), separator: UInt8(ascii: "|")),
                       cipher.lookupHash("500235105201|农户张三|红心猕猴桃"))
        XCTAssertNotEqual(cipher.lookupHash(joining: ["ab", "c"], separator: 0x1F),
                          cipher.lookupHash(joining: ["a", "bc"], separator: 0x1F), "the separator is hashed too")
        XCTAssertEqual(cipher.lookupHash("x").count, 64)
    }
}
