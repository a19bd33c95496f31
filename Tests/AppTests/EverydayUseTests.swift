@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 13, items 11 and 12: errors keep the person where they were; the API is complete without reading code.
final class EverydayUseTests: XCTestCase {
    func testABadDeclarationReRendersWithWhatWasTypedAndTheMenu() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            var office = try await Browser.signIn(app, "office")
            let res = try await office.post("/declarations", ["buyerUnitId": String(f.school), "year": "2026",
                                                              "kind": "canteenFood",
                                                              "value": "十二万"])
            XCTAssertEqual(res.status, .unprocessableEntity)
            let html = res.body.string
            XCTAssertTrue(html.contains("id=\"error-value\">") && html.contains("格式不正确：如“12万”"),
                          "the message beside the field")
            XCTAssertTrue(html.contains("value=\"十二万\""), "the typed value is kept")
            XCTAssertTrue(html.contains("<option value=\"\(f.school)\" selected>"), "the chosen unit is kept")
            XCTAssertTrue(html.contains("href=\"/purchases\""), "the signed-in menu is kept")
            try await assertEqual(try await DeclarationRecord.query(on: app.db).count(), 0)
        }
    }

    func testForbiddenAndMissingPagesKeepTheSignedInLayout() async throws {
        try await withApp { app, _ in
            var buyer = try await Browser.signIn(app, "buyer")
            for (path, status) in [("/households", HTTPStatus.forbidden), ("/purchases/999999", .notFound)] {
                let res = try await buyer.get(path)
                XCTAssertEqual(res.status, status, path)
                XCTAssertTrue(res.body.string.contains("href=\"/purchases\""), "\(path): the menu is there")
                XCTAssertTrue(res.body.string.contains("id=\"error-message\""), path)
            }
        }
    }
}

final class APICompletenessTests: XCTestCase {
    func testTokensAreCreatedAndRevokedThroughTheAPI() async throws {
        try await withApp { app, _ in
            let office = try await apiClient(app, "office")
            struct Token: Decodable { let id: Int; let name: String; let token: String?; let revoked: Bool }
            let made = try await office.post("/api/v1/tokens", ["name": "财务系统对接"])
            XCTAssertEqual(made.status, .created)
            let token = try made.content.decode(Token.self)
            let fresh = APIClient(app: app, token: try XCTUnwrap(token.token))
            try await assertEqual(try await fresh.get("/api/v1/me").status, .ok)
            let listed = try await office.get("/api/v1/tokens").content.decode([Token].self)
            XCTAssertTrue(listed.contains { $0.id == token.id && $0.token == nil }, "the token itself is shown once")
            try await assertEqual(
                try await office.send(.DELETE, "/api/v1/tokens/\(token.id)", data: Data(), type: .json).status, .ok)
            try await assertEqual(try await fresh.get("/api/v1/me").status, .unauthorized, "revoked: refused at once")
            let other = try await apiClient(app, "buyer").send(.DELETE, "/api/v1/tokens/\(token.id)", data: Data(),
                                                               type: .json)
            XCTAssertEqual(other.status, .notFound, "only one's own tokens")
            try await assertEqual(try await office.post("/api/v1/tokens", ["name": ""]).status, .unprocessableEntity)
        }
    }

    func testAmountsAndQuantitiesAreTakenAsJSONNumbersOrAsWords() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            struct Row: Decodable { let amountFen: Int64; let quantity: String; let purpose: String }
            var body: [String: Any] = ["buyerUnitId": f.hospital, "purchasedOn": "2026-11-20",
                                       "originRegionCode": Fixtures.village, "seller": "王小明", "variety": "土豆",
                                       "quantity": "100万斤", "amount": 90.5, "purpose": "食堂",
                                       "channel": "fiveInto"]
            let res = try await office.send(.POST, "/api/v1/purchases",
                                            data: try JSONSerialization.data(withJSONObject: body), type: .json)
            XCTAssertEqual(res.status, .created, res.body.string)
            let row = try res.content.decode(Row.self)
            XCTAssertEqual([row.amountFen], [9_050], "90.5 as a JSON number is 90.5元")
            XCTAssertEqual(row.purpose, "canteen", "the Chinese purpose name as in sheets")
            body["amount"] = "1.2万元"
            let words = try await office.send(.POST, "/api/v1/purchases",
                                              data: try JSONSerialization.data(withJSONObject: body), type: .json)
            XCTAssertEqual(try words.content.decode(Row.self).amountFen, 1_200_000)
            let declared = try await office.send(
                .POST, "/api/v1/declarations", data: try JSONSerialization.data(withJSONObject: [
                "buyerUnitId": f.hospital, "year": 2026, "kind": "canteenFood", "value": 120_000]), type: .json)
            XCTAssertEqual(declared.status, .ok, declared.body.string)
            try await assertEqual(try await DeclarationRecord.query(on: app.db).first()?.value, 12_000_000)
        }
    }
}

/// Item 12: every JSON body `openapi.json` documents carries an example, and each example is accepted by the
/// real route as documented — it decodes, passes the same checks a client's body would, and is not refused
/// for its shape (400/415) or for its values (422).
final class DocumentedBodiesTests: XCTestCase {
    struct Tried: CustomStringConvertible {
        let method: String, path: String, status: UInt, answer: String
        var description: String { "\(method.uppercased()) \(path) → \(status) \(answer)" }
    }

    func testEveryDocumentedBodyExampleIsAcceptedByItsRoute() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let doc = try JSONSerialization.jsonObject(
                with: try Data(contentsOf: URL(fileURLWithPath: app.directory.resourcesDirectory + "openapi.json")))
                as! [String: Any]
            let office = try await apiClient(app, "office")
            // The records the examples name: a purchase, an offer, the demo's second village.
            _ = try await office.post("/api/v1/purchases", PurchaseInputBody(buyerUnitId: f.hospital, amount: "90元"))
            _ = try await RegionStore.importCSV("code,name,parent,flags\n500235105202,邻村,,\n", on: app.db,
                                                by: .command("test"))
            let offers = (doc["paths"] as! [String: [String: Any]])["/api/v1/offers"]!["post"] as! [String: Any]
            let offer = try JSONSerialization.data(withJSONObject: ((offers["requestBody"] as! [String: Any])["content"]
                as! [String: Any])["application/json"].flatMap { ($0 as! [String: Any])["example"] }!)
            try await assertEqual(
                try await office.send(.POST, "/api/v1/offers", data: offer, type: .json).status, .created)
            try await shippedOrder(of: 1, unit: f.hospital, app: app, office: office)
            // Who sends a body when the first role the policy admits is not its sender (a township reports).
            let sender = ["/api/v1/submissions": "clerk"]
            var clients: [String: APIClient] = [:]
            for name in ["office", "admin", "lead", "buyer", "supplier", "clerk"] {
                clients[name] = try await apiClient(app, name)
            }
            var tried: [Tried] = [], refused: [Tried] = []
            for (path, value) in (doc["paths"] as! [String: [String: Any]]).sorted(by: { $0.key < $1.key }) {
                for (method, op) in value.sorted(by: { $0.key < $1.key }) {
                    guard let op = op as? [String: Any], let body = op["requestBody"] as? [String: Any],
                          let json = (body["content"] as? [String: Any])?["application/json"] as? [String: Any] else {
                        continue
                    }
                    let example = try XCTUnwrap(json["example"], "\(method) \(path) documents no example")
                    let data = try JSONSerialization.data(withJSONObject: example)
                    let url = path.replacingOccurrences(of: "{id}", with: "1")
                    var status: UInt = 0, answer = ""
                    // The first role the policy lets through answers: the body is then checked as any client's would
                    // be.
                    for name in [sender[path]].compactMap({ $0 }) + ["office", "admin", "lead", "buyer", "supplier",
                                                                     "clerk"] {
                        let res = try await clients[name]!.send(HTTPMethod(rawValue: method.uppercased()), url,
                                                                data: data, type: .json)
                        status = res.status.code
                        answer = status >= 400 ? res.body.string : ""
                        if ![401, 403].contains(status) { break }
                    }
                    let t = Tried(method: method, path: path, status: status, answer: answer)
                    tried.append(t)
                    if [400, 415, 422, 500].contains(status) { refused.append(t) }
                }
            }
            XCTAssertGreaterThan(tried.count, 20)
            XCTAssertEqual(refused.map(\.description), [], "documented examples the routes refuse")
            print("documented bodies:", tried.map(\.description).joined(separator: "; "))
        }
    }
}

extension DocumentedBodiesTests {
    /// The order the order and tracking examples act on: the example offer, certified, ordered, confirmed and
    /// shipped with the waybill the tracking example names.
    func shippedOrder(of offer: Int, unit: Int, app: Application, office: APIClient) async throws {
        let a = ProductApplication()
        a.$offer.id = offer; a.regionCode = Fixtures.yunyang; a.productName = "红薯"; a.documents = "检测报告"
        a.state = CertificationState.certified.rawValue; a.validFrom = "2026-11-01"; a.validUntil = "2027-10-31"
        try await a.create(on: app.db)
        let body = OrderTests.Place(buyerUnitId: unit, lines: [.init(offerId: offer, quantity: "10斤")])
        let order = try await office.post("/api/v1/orders", body).content.decode(OrderTests.Id.self).id
        try await assertEqual(try await office.post("/api/v1/orders/\(order)/confirm", [String: String]()).status, .ok)
        let ship = ["waybills": [["carrier": "顺丰速运", "number": "SF1234567890"]]]
        try await assertEqual(try await office.post("/api/v1/orders/\(order)/ship", ship).status, .ok)
    }
}

/// Item 16: charts drawn by the app as SVG, with their figures in a table beside them.
final class ChartsTests: XCTestCase {
    func testTheDashboardDrawsTheYearByMonthAndProgressShowsThePace() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            var body = PurchaseInputBody(buyerUnitId: f.hospital, amount: "3万")
            body.purchasedOn = "2026-09-10"
            let p = try await office.post("/api/v1/purchases", body).content.decode(LedgerTruthTests.Row.self)
            try await assertEqual(try await office.post("/api/v1/purchases/\(p.id)/verify", VerifyBody()).status, .ok)
            struct Adopt: Encodable { let preset = "yunyang2019"; let year = 2026 }
            _ = try await office.post("/api/v1/policies", Adopt())

            var browser = try await Browser.signIn(app, "office")
            let home = try await browser.get("/").body.string
            XCTAssertTrue(home.contains("<svg class=\"columns\" id=\"home-trend-chart\""), "an SVG drawn by the app")
            XCTAssertEqual(home.components(separatedBy: "<rect class=\"column\"").count - 1, 11, "January to November")
            XCTAssertTrue(home.contains("<tr><td>9月</td><td class=\"num\">3.00万元</td></tr>"),
                          "the figures beside the chart")
            XCTAssertFalse(home.contains("<script"), "no script, no CDN")
            let progress = try await browser.get("/progress").body.string
            XCTAssertTrue(progress.contains("<line class=\"pace\" x1=\"89\""), "序时进度 on 23 November: 89%")
        }
    }
}
