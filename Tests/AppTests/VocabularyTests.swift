@testable import App
import BangfuKit
import XCTVapor

/// Issue 13, item 12: the API lists its own words, so an integration needs no source code to write a row.
final class VocabularyTests: XCTestCase {
    struct Channel: Decodable { let code: String; let jurisdiction: String; let viaPlatform: Bool }
    struct Purpose: Decodable { let code: String; let name: String }

    func testChannelsAreTheRegionsOwnAndInheritedAndPurposesAreListed() async throws {
        try await withApp { app, _ in
            let buyer = try await apiClient(app, "buyer")
            let township = try await buyer.get("/api/v1/channels?region=\(Fixtures.longjiao)").content.decode([Channel].self)
            XCTAssertFalse(township.isEmpty, "a township inherits its county's channels")
            XCTAssertTrue(township.allSatisfy { $0.jurisdiction == Fixtures.yunyang })
            XCTAssertTrue(township.contains { $0.viaPlatform }, "the platforms are marked as platform-reported")
            let wuxi = try await buyer.get("/api/v1/channels?region=\(Fixtures.wuxi)").content.decode([Channel].self)
            XCTAssertEqual(wuxi.count, 9, "巫溪 keeps its own 八销 and 832")
            XCTAssertFalse(wuxi.contains { $0.jurisdiction == Fixtures.yunyang }, "and none of 云阳's")
            try await assertEqual(try await buyer.get("/api/v1/channels?region=abc").status, .unprocessableEntity)
            let purposes = try await buyer.get("/api/v1/purposes").content.decode([Purpose].self)
            XCTAssertEqual(purposes.first { $0.code == "canteen" }?.name, PurchasePurpose.canteen.chineseName)
        }
    }
}
