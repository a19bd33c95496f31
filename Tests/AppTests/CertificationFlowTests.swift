@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// 认定 from application to certificate, 公示, expiry, blacklist and complaints — through the API.
final class CertificationFlowTests: XCTestCase {
    struct Application: Decodable { let id: Int; let state: String; let certificateNo: String?; let validUntil: String?; let publicityEnds: String? }
    struct Item: Decodable { let offer: Offer; let certificateNo: String? }
    struct Offer: Decodable { let id: Int; let variety: String; let seller: String }
    struct Step: Encodable { var event: String; var reason: String? = nil; var days: Int? = nil; var validMonths: Int? = nil }
    struct Apply: Encodable { let offerId: Int; let documents: String }

    let nov2 = LocalDate(year: 2026, month: 11, day: 2)

    /// A supplier's offer, applied for, reviewed by the township, approved and published by the county.
    func published(_ app: Vapor.Application, _ f: Fixtures) async throws -> (offer: Int, application: Int) {
        app.setToday(nov2)
        struct Body: Encodable {
            let regionCode = Fixtures.village, sellerName = "龙角镇柑橘合作社", variety = "云阳红橙", quantity = "2吨"
            let price = "5元/斤", supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558"
            let qualityMarks = ["geographicalIndication"]
        }
        let supplier = try await apiClient(app, "supplier")
        let offer = try await supplier.post("/api/v1/offers", Body()).content.decode(Offer.self).id
        let applied = try await supplier.post("/api/v1/certifications", Apply(offerId: offer, documents: "营业执照、检测报告"))
        XCTAssertEqual(applied.status, .created)
        let id = try applied.content.decode(Application.self).id
        let clerk = try await apiClient(app, "clerk"), office = try await apiClient(app, "office")
        try await expect(clerk, "/api/v1/certifications/\(id)/review", Step(event: "townshipApprove"), .ok, "townshipApproved")
        try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "countyApprove"), .ok, "countyApproved")
        try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "publish", days: 7), .ok, "inPublicity")
        return (offer, id)
    }

    @discardableResult
    func expect(_ api: APIClient, _ path: String, _ step: Step, _ status: HTTPStatus, _ state: String? = nil,
                file: StaticString = #filePath, line: UInt = #line) async throws -> XCTHTTPResponse {
        let res = try await api.post(path, step)
        XCTAssertEqual(res.status, status, "\(step.event): \(res.body.string)", file: file, line: line)
        if let state { XCTAssertEqual(try res.content.decode(Application.self).state, state, file: file, line: line) }
        return res
    }

    func search(_ app: Vapor.Application, _ q: String) async throws -> [Item] {
        let path = "/api/v1/catalogue?q=" + q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
        return try await app.sendRequest(.GET, path).content.decode([Item].self)
    }

    func testFromApplicationThroughPublicityToACertificateTheCatalogueShows() async throws {
        try await withApp { app, f in
            let (offer, id) = try await published(app, f)
            let office = try await apiClient(app, "office")
            let publicity = try await app.sendRequest(.GET, "/api/v1/publicity").content.decode([Application].self)
            XCTAssertEqual(publicity.map(\.publicityEnds), ["2026-11-09"])
            try await assertEqual(try await search(app, "红橙").count, 0, "not in the catalogue during 公示")

            let early = try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "conclude"), .conflict)
            XCTAssertEqual(try early.error().error.code, "publicity_open")
            app.setToday(LocalDate(year: 2026, month: 11, day: 9))
            let done = try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "conclude", validMonths: 12), .ok, "certified")
            let cert = try done.content.decode(Application.self)
            XCTAssertEqual(cert.certificateNo, "帮认500235-2026-0001")
            XCTAssertEqual(cert.validUntil, "2027-11-09")

            for q in ["红橙", "橙", "云阳红"] {
                try await assertEqual(try await search(app, q).map(\.offer.id), [offer], q)
            }
            try await assertEqual(try await search(app, "红阳").count, 0)
            try await assertEqual(try await search(app, "苹果").count, 0)
            let marked = try await app.sendRequest(.GET, "/api/v1/catalogue?mark=geographicalIndication&category=fruit").content.decode([Item].self)
            XCTAssertEqual(marked.map(\.certificateNo), ["帮认500235-2026-0001"])
            let page = try await app.sendRequest(.GET, "/catalogue/\(offer)")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.string.contains("帮认500235-2026-0001"))

            app.setToday(LocalDate(year: 2026, month: 12, day: 9))
            try await assertEqual(try await search(app, "红橙").count, 0, "stale a month after its last update")
            app.setToday(LocalDate(year: 2027, month: 11, day: 9))
            try await assertEqual(try await app.sendRequest(.GET, "/catalogue/\(offer)").status, .notFound)
            let trail = try await CertificationStep.query(on: app.db).filter(\.$application.$id == id).all().map(\.event)
            XCTAssertEqual(trail, ["townshipApprove", "countyApprove", "publish", "conclude"])
        }
    }

    func testStepsAreRefusedWhenTheyDoNotApplyOrBelongToAnotherLevel() async throws {
        try await withApp { app, f in
            let (_, id) = try await published(app, f)
            let clerk = try await apiClient(app, "clerk"), office = try await apiClient(app, "office")
            try await expect(clerk, "/api/v1/certifications/\(id)/decide", Step(event: "conclude"), .forbidden)
            let wrong = try await expect(office, "/api/v1/certifications/\(id)/review", Step(event: "countyApprove"), .unprocessableEntity)
            XCTAssertEqual(try wrong.error().error.code, "wrong_step")
            let again = try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "countyApprove"), .conflict)
            XCTAssertEqual(try again.error().error.code, "not_allowed")
            let noReason = try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "upholdObjection"), .conflict)
            XCTAssertEqual(try noReason.error().error.field, "reason")
            try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "upholdObjection", reason: "以次充好"), .ok, "rejected")
            let wuxi = try await apiClient(app, "office.wuxi")
            try await expect(wuxi, "/api/v1/certifications/\(id)/decide", Step(event: "revoke", reason: "x"), .notFound)
        }
    }

    func testBlacklistBarsListingApplyingAndTheCatalogue() async throws {
        try await withApp { app, f in
            let (offer, id) = try await published(app, f)
            let office = try await apiClient(app, "office")
            app.setToday(LocalDate(year: 2026, month: 11, day: 10))
            try await expect(office, "/api/v1/certifications/\(id)/decide", Step(event: "conclude"), .ok, "certified")
            try await assertEqual(try await search(app, "红橙").count, 1)

            var b = try await Browser.signIn(app, "office")
            let listed = try await b.post("/blacklist", ["supplierId": String(f.coop), "reason": "以次充好，投诉查实"])
            XCTAssertEqual(listed.status, .seeOther)
            try await assertEqual(try await search(app, "红橙").count, 0, "their certified products stop counting")
            let supplier = try await apiClient(app, "supplier")
            struct Body: Encodable { let regionCode = Fixtures.village, sellerName = "龙角镇柑橘合作社", variety = "蜂蜜", quantity = "20斤"
                                     let price = "50元/斤", supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558" }
            let refused = try await supplier.post("/api/v1/offers", Body())
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertEqual(try refused.error().error.code, "blacklisted")
            let apply = try await supplier.post("/api/v1/certifications", Apply(offerId: offer, documents: "x"))
            XCTAssertEqual(try apply.error().error.code, "blacklisted")
            let list = try await app.sendRequest(.GET, "/api/v1/blacklist").body.string
            XCTAssertTrue(list.contains("龙角镇柑橘合作社"))
        }
    }

    func testAnyoneComplainsAndTheCountyOfficeAnswers() async throws {
        try await withApp { app, f in
            let (offer, _) = try await published(app, f)
            struct Body: Encodable { let offerId: Int; let content: String; let contactName: String; let contactPhone: String }
            var headers = HTTPHeaders(); headers.contentType = .json
            let body = try JSONEncoder().encode(Body(offerId: offer, content: "实际重量不足", contactName: "市民甲", contactPhone: "13912345678"))
            let filed = try await app.sendRequest(.POST, "/api/v1/complaints", headers: headers, body: ByteBuffer(data: body))
            XCTAssertEqual(filed.status, .created)
            struct C: Decodable { let id: Int; let status: String; let contactPhone: String; let dueOn: String }
            let c = try filed.content.decode(C.self)
            XCTAssertEqual(c.contactPhone, "139****5678")
            XCTAssertEqual(c.dueOn, "2026-11-17")

            try await assertEqual(try await apiClient(app, "office.wuxi").get("/api/v1/complaints").content.decode([C].self).count, 0)
            let office = try await apiClient(app, "office")
            try await assertEqual(try await office.get("/api/v1/complaints").content.decode([C].self).map(\.id), [c.id])
            struct Reply: Encodable { let reply: String }
            let replied = try await office.post("/api/v1/complaints/\(c.id)", Reply(reply: "已核实，责令整改"))
            XCTAssertEqual(try replied.content.decode(C.self).status, "closed")
            try await assertEqual(try await office.post("/api/v1/complaints/\(c.id)", Reply(reply: "again")).status, .conflict)
        }
    }
}
