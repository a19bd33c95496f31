@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 14 (first part): a buyer posts a need and sees the catalogue's offers ranked, helped places first.
final class NeedTests: XCTestCase {
    struct OfferBody: Encodable {
        let regionCode: String, sellerName: String, variety = "土豆", quantity: String, price: String
        let supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558"
    }
    struct NeedBody: Encodable {
        var buyerUnitId: Int?; var variety = "土豆"; var quantity = "200斤"; var priceCeiling: String? = "4元/斤"
        var deliveryRegionCode = Fixtures.yunyang; var deliveryAddress = "实验中学食堂"
        var from = "2026-12-01"; var to = "2027-01-15"; var everyDays: Int? = 7
    }
    struct Matches: Decodable {
        struct M: Decodable { let offerId: Int; let tier: String; let reasons: [String]; let seller: String }
        let matches: [M]; let split: [[String: String]]?
    }

    func testASchoolsNeedMatchesItsHelpedVillageFirstThenDeepPovertyThenOthers() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let deep = "code,name,parent,flags\n500235139000,泥溪镇,,原深度贫困\n500235139201,黄岭村,,原深度贫困\n"
            _ = try await RegionStore.importCSV(deep, on: app.db, by: .command("test"))
            let office = try await apiClient(app, "office"), wuxi = try await apiClient(app, "office.wuxi")
            struct Pair: Encodable {
                let kind = "stationedInVillage"; let helperUnitId: Int; let helpedRegionCode = Fixtures.village
                let startsOn = "2026-01-01"
            }
            let paired = try await office.post("/api/v1/pairings", Pair(helperUnitId: f.school))
            XCTAssertEqual(paired.status, .created)
            var ids: [Int] = []
            for (api, region, seller, price) in [(wuxi, Fixtures.wuxiTown, "巫溪合作社", "2元/斤"),
                                                 (office, "500235139201", "黄岭村合作社", "3.5元/斤"),
                                                 (office, Fixtures.village, "示例村合作社", "3.8元/斤"),
                                                 (office, Fixtures.village, "高价合作社", "5元/斤")] {
                let body = OfferBody(regionCode: region, sellerName: seller, quantity: "150斤", price: price)
                let res = try await api.post("/api/v1/offers", body)
                XCTAssertEqual(res.status, .created, res.body.string)
                ids.append(try res.content.decode(CatalogueTests.Offer.self).id)
            }
            for id in ids {
                let a = ProductApplication()
                a.$offer.id = id; a.regionCode = "500235000000"; a.productName = "土豆"; a.documents = "检测报告"
                a.state = CertificationState.certified.rawValue; a.validFrom = "2026-11-01"; a.validUntil = "2027-10-31"
                try await a.create(on: app.db)
            }
            let lead = try await apiClient(app, "lead")
            let need = try await lead.post("/api/v1/needs", NeedBody(buyerUnitId: f.school))
            XCTAssertEqual(need.status, .created, need.body.string)
            struct Id: Decodable { let id: Int }
            let needID = try need.content.decode(Id.self).id
            let matches = try await lead.get("/api/v1/needs/\(needID)/matches").content.decode(Matches.self)
            XCTAssertEqual(matches.matches.map(\.offerId), [ids[2], ids[1], ids[0]],
                           "the school's helped village, then 原深度贫困, then the rest; above the 4元 ceiling left out")
            XCTAssertEqual(matches.matches.map(\.tier), ["结对/帮扶地区", "原深度贫困地区", "其他地区"])
            XCTAssertTrue(matches.matches[0].reasons.contains("库存150斤，需与其他供方拼单"))
            XCTAssertEqual(matches.split?.map { $0["quantity"] ?? "" }, ["150斤", "50斤"],
                "200斤 split across two sellers")

            let other = try await apiClient(app, "buyer").get("/api/v1/needs/\(needID)/matches")
            XCTAssertEqual(other.status, .notFound, "another unit's need is not seen")
            var bad = NeedBody(buyerUnitId: f.school); bad.quantity = "三百斤"
            try await assertEqual(try await lead.post("/api/v1/needs", bad).error().error.field, "quantity")
            bad = NeedBody(buyerUnitId: f.school); bad.to = "2026-11-01"
            try await assertEqual(try await lead.post("/api/v1/needs", bad).error().error.code, "before_start")
            bad = NeedBody(buyerUnitId: f.hospital)
            try await assertEqual(try await lead.post("/api/v1/needs", bad).error().error.code, "out_of_scope",
                                  "a lead unit posts for its own system's units")
        }
    }
}
