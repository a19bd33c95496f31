@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 13, item 17: the public catalogue a citizen uses — places by name, sorting, pages, photos.
final class PublicCatalogueTests: XCTestCase {
    struct Item: Decodable { struct O: Decodable { let id: Int; let variety: String }; let offer: O; let place: String }

    func testACitizenPagesSortsAndNarrowsByPlaceName() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let office = try await apiClient(app, "office"), wuxi = try await apiClient(app, "office.wuxi")
            struct Body: Encodable {
                let regionCode: String, sellerName = "示例合作社", variety: String, quantity = "100斤", price: String
                let supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558"
            }
            for i in 1...30 {
                let (api, region) = i <= 20 ? (office, Fixtures.village) : (wuxi, Fixtures.wuxiTown)
                let res = try await api.post("/api/v1/offers",
                                             Body(regionCode: region, variety: "产品\(i)", price: "\(i)元/斤"))
                XCTAssertEqual(res.status, .created, res.body.string)
            }
            for offer in try await Offer.query(on: app.db).all() { try await Fixtures.certify(offer.id!, on: app) }
            func get(_ query: String) async throws -> [Item] {
                try await app.sendRequest(.GET, "/api/v1/catalogue?" + query).content.decode([Item].self)
            }
            try await assertEqual(try await get("").count, CatalogueSearch.pageSize)
            try await assertEqual(try await get("page=2").count, 30 - CatalogueSearch.pageSize)
            try await assertEqual(try await get("page=999999").count, 0, "a page past the end is empty, not an error")
            try await assertEqual(try await get("sort=priceAsc").prefix(3).map(\.offer.variety), ["产品1", "产品2", "产品3"])
            try await assertEqual(try await get("sort=priceDesc").first?.offer.variety, "产品30")
            let wuxiOnly = try await get("region=\(Fixtures.wuxi)")
            XCTAssertEqual(wuxiOnly.count, 10)
            XCTAssertTrue(wuxiOnly.allSatisfy { $0.place.hasPrefix("巫溪县") })

            let html = try await app.sendRequest(.GET, "/catalogue?sort=priceAsc").body.string
            XCTAssertTrue(html.contains("<option value=\"\(Fixtures.wuxi)\">巫溪县</option>"), "places by name")
            XCTAssertTrue(html.contains("id=\"next-page\"") && !html.contains("id=\"previous-page\""))
            XCTAssertTrue(html.contains("page=2") && html.contains("sort=priceAsc"), "the next page keeps the sort")
            XCTAssertTrue(html.contains("元/斤"), "prices in 元")
        }
    }
}
