@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 13, item 13: each jurisdiction keeps its own channels, from the seeds' presets or its own; a place
/// below inherits the lists above it; a row goes through a channel of its buyer's jurisdictions only.
final class ChannelListTests: XCTestCase {
    struct C: Decodable { let code: String; let name: String; let heading: String; let jurisdiction: String }

    func testAJurisdictionAdoptsAPresetAndItsUnitsUseItsChannelsOnly() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let wuxi = try await apiClient(app, "office.wuxi")
            try await App.Channel.query(on: app.db).filter(\.$jurisdictionCode == Fixtures.wuxi).delete()
            let adopted = try await wuxi.post("/api/v1/channels/presets", ["preset": "wuxi"])
            XCTAssertEqual(adopted.status, .ok)
            XCTAssertEqual(try adopted.content.decode([C].self).count, 9, "八销 and 832")
            let again = try await wuxi.post("/api/v1/channels/presets", ["preset": "wuxi"]).content.decode([C].self)
            XCTAssertEqual(again.count, 0, "adopting twice adds nothing")
            let listed = try await wuxi.get("/api/v1/channels?region=\(Fixtures.wuxiTown)").content.decode([C].self)
            XCTAssertTrue(listed.contains { $0.name == "直播带货" && $0.jurisdiction == Fixtures.wuxi },
                          "a township inherits its county's")
            XCTAssertFalse(listed.contains { $0.code == "fiveInto" }, "云阳's 六销 are 云阳's")

            var body = PurchaseInputBody(buyerUnitId: f.wuxiUnit, amount: "90元")
            body.originRegionCode = Fixtures.wuxiTown
            let refused = try await wuxi.post("/api/v1/purchases", body)
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertEqual(try refused.error().error.code, "unknown_channel")
            body.channel = "livestream"
            try await assertEqual(try await wuxi.post("/api/v1/purchases", body).status, .created)
        }
    }

    func testAnOfficeAddsAndRenamesItsOwnChannelOnThePage() async throws {
        try await withApp { app, _ in
            var office = try await Browser.signIn(app, "office")
            try await assertEqual(
                try await office.post("/channels", ["do": "add", "heading": "九销", "name": "社区团购"]).status, .seeOther)
            let own = try await App.Channel.query(on: app.db).filter(\.$name == "社区团购").first()
            XCTAssertEqual(own?.jurisdictionCode, Fixtures.yunyang)
            XCTAssertEqual(own?.code, "c500235n1", "made for it, unique everywhere, never typed")
            let twice = try await office.post("/channels", ["do": "add", "name": "社区团购"])
            XCTAssertEqual(twice.status, .conflict)
            XCTAssertTrue(twice.body.string.contains("本辖区已有渠道“社区团购”"))
            try await assertEqual(try await office.post("/channels", ["do": "rename", "id": String(own!.id!),
                                                              "heading": "九销",
                                                              "name": "社区团购直销"]).status, .seeOther)
            let page = try await office.get("/channels").body.string
            XCTAssertTrue(page.contains("社区团购直销") && page.contains("五进对接直销"))
            let form = try await office.get("/purchases/new").body.string
            XCTAssertTrue(form.contains("社区团购直销"), "the purchase form offers the jurisdiction's list")
        }
    }
}
