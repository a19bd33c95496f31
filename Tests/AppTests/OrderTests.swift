@testable import App
import BangfuKit
import Fluent
import SQLKit
import XCTVapor

/// Issue 14: orders placed from the catalogue, confirmed, shipped with waybills, tracked, accepted, paid and
/// evaluated, landing in the ledger once and only when the jurisdiction's rule says.
final class OrderTests: XCTestCase {
    static let today = LocalDate(year: 2026, month: 11, day: 23)

    struct OfferBody: Encodable {
        var regionCode = Fixtures.village, sellerName = "示例村合作社", variety = "土豆", quantity = "150斤"
        var price = "3.8元/斤", supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558"
        var linkedHouseholds: Int? = 12
    }
    struct Line: Codable { var offerId: Int?; var quantity: String? }
    struct Place: Encodable {
        var buyerUnitId: Int?; var needId: Int? = nil; var quoteId: Int? = nil; var lines: [Line]? = nil
        var freight: String? = "15元"; var deliveryAddress: String? = "实验中学食堂"
        var idempotencyKey: String? = nil; var freightDeductedFromSeller: String? = nil
    }
    struct OrderJSON: Decodable {
        struct L: Decodable { let id: Int; let acceptedFen: Int64?; let purchaseId: Int? }
        struct W: Decodable { struct E: Decodable { let status: String }; let number: String; let events: [E] }
        let id: Int, state: String, paymentState: String, goodsFen: Int64, freightFen: Int64, acceptedFen: Int64?
        let payable: String, sellerReceivable: String, ledgerOn: String?, missing: [String]
        let lines: [L], waybills: [W]
    }
    struct Id: Decodable { let id: Int }
    struct ManualRow: Encodable {
        let buyerUnitId: Int; var purchasedOn = "2026-11-23"; var originRegionCode = Fixtures.village
        var seller = "示例村合作社"; var variety = "土豆"; var quantity: String; var amount: String
        var purpose = "canteen"; var channel = "fiveInto"
    }

    /// A certified offer of the coop (as its own supplier account), with its stock.
    static func certifiedOffer(_ app: Application, _ body: OfferBody = OfferBody(), certified: Bool = true,
                               as username: String = "supplier") async throws -> Int {
        let res = try await apiClient(app, username).post("/api/v1/offers", body)
        XCTAssertEqual(res.status, .created, res.body.string)
        let id = try res.content.decode(Id.self).id
        guard certified else { return id }
        try await Fixtures.certify(id, on: app)
        return id
    }

    static func place(_ api: APIClient, _ body: Place) async throws -> XCTHTTPResponse {
        try await api.post("/api/v1/orders", body)
    }

    /// An order the API must refuse with 409 or 422: the error's code, message and field.
    static func refusal(_ api: APIClient, _ body: Place) async throws -> ErrorJSON.Detail {
        let res = try await place(api, body)
        XCTAssertTrue([.unprocessableEntity, .conflict].contains(res.status), res.body.string)
        return try res.error().error
    }

    func testAnOrderIsShippedTrackedAcceptedInPartPaidEvaluatedAndCountedOnceUnderThe832Rule() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let offer = try await Self.certifiedOffer(app)
            let lead = try await apiClient(app, "lead"), coop = try await apiClient(app, "supplier")
            let body = Place(buyerUnitId: f.school, lines: [Line(offerId: offer, quantity: "150斤")],
                idempotencyKey: "k-1")
            let placed = try await Self.place(lead, body)
            XCTAssertEqual(placed.status, .created, placed.body.string)
            let order = try placed.content.decode(OrderJSON.self)
            XCTAssertEqual([order.goodsFen, order.freightFen], [57_000, 1_500], "150斤 × 3.8元, freight its own line")
            XCTAssertEqual(order.sellerReceivable, "570.00元", "freight never comes off the seller's receivable")
            let again = try await Self.place(lead, body)
            XCTAssertEqual(again.status, .ok, "the same key returns the first order")
            XCTAssertEqual(try again.content.decode(OrderJSON.self).id, order.id)
            try await assertEqual(try await Order.query(on: app.db).count(), 1)

            let confirmed = try await coop.post("/api/v1/orders/\(order.id)/confirm", [String: String]())
            XCTAssertEqual(confirmed.status, .ok, confirmed.body.string)
            try await assertEqual(try await Offer.find(offer, on: app.db)?.available.description, "0斤")
            let ship = ["waybills": [["carrier": "顺丰速运", "number": "SF1234567890"]]]
            let shipped = try await coop.post("/api/v1/orders/\(order.id)/ship", ship)
            XCTAssertEqual(shipped.status, .ok, shipped.body.string)

            let csv = "运单号,时间,地点,状态\nSF1234567890,2026/11/22 09:05,云阳县龙角镇,已揽收\n"
                + "SF1234567890,2026-11-22 18:30,重庆万州中转,运输中\n"
            let file = try await coop.send(.POST,
                "/api/v1/tracking/import?carrier=%E9%A1%BA%E4%B8%B0%E9%80%9F%E8%BF%90",
                                           data: Data(csv.utf8), type: .plainText)
            XCTAssertEqual(file.status, .ok, file.body.string)
            let twice = try await coop.send(.POST,
                "/api/v1/tracking/import?carrier=%E9%A1%BA%E4%B8%B0%E9%80%9F%E8%BF%90",
                                            data: Data(csv.utf8), type: .plainText)
            try await assertEqual(try twice.content.decode(TrackingService.Report.self).added, 0,
                "an event is kept once")
            struct Push: Encodable { let carrier = "顺丰速运"; let events: [[String: String]] }
            let unknown = try await coop.post("/api/v1/tracking", Push(events: [
                ["waybill": "SF1234567890", "at": "2026-11-23 08:00", "status": "派送中", "place": "云阳县"],
                ["waybill": "SF0000000000", "at": "2026-11-23 08:00", "status": "派送中"]]))
            XCTAssertEqual(unknown.status, .unprocessableEntity)
            XCTAssertEqual(try unknown.content.decode(TrackingService.Report.self).errors.map(\.code),
                ["unknown_waybill"])
            let pushed = try await coop.post("/api/v1/tracking", Push(events: [
                ["waybill": "SF1234567890", "at": "2026-11-23 08:00", "status": "已签收", "place": "云阳县实验中学"]]))
            XCTAssertEqual(pushed.status, .ok, pushed.body.string)
            try await assertEqual(try await TrackingEvent.query(on: app.db).count(), 3, "nothing of the refused batch")

            struct Accept: Encodable {
                struct L: Encodable { let lineId: Int; let accepted: String; let reason: String }
                let lines: [L]
            }
            let taken = Accept.L(lineId: order.lines[0].id, accepted: "140", reason: "10斤破损拒收")
            let accepted = try await lead.post("/api/v1/orders/\(order.id)/accept", Accept(lines: [taken]))
            XCTAssertEqual(accepted.status, .ok, accepted.body.string)
            let afterAccept = try accepted.content.decode(OrderJSON.self)
            XCTAssertEqual(afterAccept.acceptedFen, 53_200)
            XCTAssertEqual(afterAccept.missing, ["付款", "评价"], "未完成: what the 832 rule still needs")
            XCTAssertEqual(afterAccept.payable, "547.00元", "goods accepted and the freight")
            try await assertEqual(try await Purchase.query(on: app.db).count(), 0)
            try await assertEqual(try await Offer.find(offer, on: app.db)?.available.description, "10斤",
                                  "what was refused goes back to the seller's stock")

            let paid = try await lead.post("/api/v1/orders/\(order.id)/pay", ["reference": "BANK20261123001"])
            XCTAssertEqual(try paid.content.decode(OrderJSON.self).missing, ["评价"], paid.body.string)
            let done = try await lead.post("/api/v1/orders/\(order.id)/evaluate", ["score": 5])
            let completed = try done.content.decode(OrderJSON.self)
            XCTAssertEqual(completed.state, "completed", done.body.string)
            XCTAssertEqual(completed.ledgerOn, "2026-11-23")
            let purchaseID = try XCTUnwrap(completed.lines[0].purchaseId)
            let found = try await Purchase.find(purchaseID, on: app.db)
            let row = try XCTUnwrap(found)
            XCTAssertEqual([row.amountFen, Int64(row.householdsTouched ?? 0)], [53_200, 12])
            XCTAssertEqual([row.source, row.channelCode, row.purchasedOn], ["order", "cityPlatform", "2026-11-23"])
            XCTAssertTrue(row.counts, "a platform row counts without a proof upload")

            struct Trace: Decodable {
                struct I: Decodable { let certification: String; let certificateNo: String?; let seller: String }
                let items: [I]; let order: OrderJSON
            }
            let trace = try await lead.get("/api/v1/orders/\(order.id)/trace").content.decode(Trace.self)
            XCTAssertEqual(trace.items.map(\.certification), ["下单时在认定有效期内"])
            XCTAssertEqual(trace.items.map(\.certificateNo), ["YY-2026-\(offer)"])
            XCTAssertEqual(trace.order.waybills.first?.events.map(\.status), ["已揽收", "运输中", "已签收"])

            // The same purchase reported by hand afterwards is linked to the order's row, not counted again.
            let office = try await apiClient(app, "office")
            let manual = try await office.post("/api/v1/purchases",
                                               ManualRow(buyerUnitId: f.school, quantity: "140斤", amount: "532"))
            XCTAssertEqual(manual.status, .created, manual.body.string)
            let twin = try await Purchase.find(try manual.content.decode(Id.self).id, on: app.db)
            XCTAssertEqual(twin?.duplicateOf, purchaseID)
            let refund = try await coop.post("/api/v1/orders/\(order.id)/refund", ["reason": "退货"])
            XCTAssertEqual(try refund.error().error.code, "refund_after_ledger")
        }
    }

    func testOnAcceptanceTheOrderCountsAtOnceAndAnUncheckedSheetRowBecomesItsDuplicate() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let office = try await apiClient(app, "office")
            let set = try await office.put("/api/v1/ledger/settings", ["orderRule": "onAcceptance"])
            XCTAssertEqual(set.status, .ok, set.body.string)
            let sheetRow = try await office.post("/api/v1/purchases",
                                                 ManualRow(buyerUnitId: f.hospital, quantity: "100斤", amount: "380"))
            let sheetID = try sheetRow.content.decode(Id.self).id
            let offer = try await Self.certifiedOffer(app)
            let buyer = try await apiClient(app, "buyer"), coop = try await apiClient(app, "supplier")
            let order = try await Self.place(buyer, Place(buyerUnitId: nil, lines: [Line(offerId: offer,
                quantity: "100斤")],
                                                         freight: nil)).content.decode(OrderJSON.self)
            _ = try await coop.post("/api/v1/orders/\(order.id)/confirm", [String: String]())
            _ = try await coop.post("/api/v1/orders/\(order.id)/ship",
                                    ["waybills": [["carrier": "中国邮政EMS", "number": "9876543210987"]]])
            let accepted = try await buyer.post("/api/v1/orders/\(order.id)/accept", [String: String]())
            let json = try accepted.content.decode(OrderJSON.self)
            XCTAssertEqual(json.state, "accepted", accepted.body.string)
            XCTAssertEqual(json.ledgerOn, "2026-11-23", "counted on acceptance, unpaid and not evaluated")
            let orderRow = try XCTUnwrap(json.lines[0].purchaseId)
            let sheet = try await Purchase.find(sheetID, on: app.db)
            XCTAssertEqual(sheet?.duplicateOf, orderRow, "the unchecked report links to the order's row")
            try await assertTrue(try await Purchase.find(orderRow, on: app.db)?.counts ?? false)
            struct Unpaid: Decodable { struct R: Decodable { let buyerUnitId: Int; let overdueOrders: Int }; let rows: [R] }
            app.setToday(Self.today.adding(days: 40))
            let aging = try await office.get("/api/v1/orders/receivables").content.decode(Unpaid.self)
            XCTAssertEqual(aging.rows.map(\.buyerUnitId), [f.hospital])
            XCTAssertEqual(aging.rows.map(\.overdueOrders), [1],
                "accepted 40 days ago and unpaid: past the 30-day limit")
        }
    }

    func testBadOrdersAreRefusedWithTheFieldAndNothingIsHalfWritten() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let offer = try await Self.certifiedOffer(app)
            let bare = try await Self.certifiedOffer(app, OfferBody(sellerName: "另一合作社", variety: "红薯"),
                                                     certified: false, as: "office")
            let lead = try await apiClient(app, "lead"), coop = try await apiClient(app, "supplier")
            func refused(_ body: Place) async throws -> ErrorJSON.Detail { try await Self.refusal(lead, body) }
            func one(_ quantity: String, offer id: Int? = nil) -> [Line] { [Line(offerId: id ?? offer,
                quantity: quantity)] }
            try await assertEqual(try await refused(Place(buyerUnitId: f.school, lines: one("151斤"))).code,
                "out_of_stock")
            try await assertEqual(try await refused(Place(buyerUnitId: f.school, lines: one("1吨"))).field,
                "lines[0].quantity")
            try await assertEqual(try await refused(Place(buyerUnitId: f.school, lines: one("10斤"),
                freight: "-5")).field,
                                  "freight")
            try await assertEqual(try await refused(Place(buyerUnitId: f.school, lines: one("10斤"),
                                                          freightDeductedFromSeller: "15")).code, "freight_on_seller")
            try await assertEqual(try await refused(Place(buyerUnitId: f.school, lines: one("10斤", offer: bare))).code,
                                  "not_certified")
            try await assertEqual(try await refused(Place(buyerUnitId: f.school,
                                                          lines: one("10斤") + one("10斤", offer: bare))).code,
                                  "one_seller_per_order")
            try await assertEqual(try await refused(Place(buyerUnitId: f.hospital, lines: one("10斤"))).code,
                                  "out_of_scope", "the lead unit orders for its own system only")
            struct NeedBody: Encodable {
                var buyerUnitId: Int; var variety = "土豆"; var quantity = "100斤"; var priceCeiling = "3.5元/斤"
                var deliveryRegionCode = Fixtures.yunyang; var deliveryAddress = "食堂"; var from = "2026-12-01"
                var to = "2026-12-31"
            }
            let need = try await lead.post("/api/v1/needs", NeedBody(buyerUnitId: f.school)).content.decode(Id.self).id
            try await assertEqual(try await refused(Place(buyerUnitId: f.school, needId: need, lines: one("10斤"))).code,
                                  "above_ceiling")

            // Two orders for more than the stock: the second confirmation is refused and holds nothing.
            let a = try await Self.place(lead, Place(buyerUnitId: f.school,
                lines: one("100斤"))).content.decode(OrderJSON.self)
            let b = try await Self.place(lead, Place(buyerUnitId: f.school,
                lines: one("100斤"))).content.decode(OrderJSON.self)
            try await assertEqual(try await lead.post("/api/v1/orders/\(a.id)/accept",
                [String: String]()).error().error.code,
                           "step_not_allowed")
            try await assertEqual(try await coop.post("/api/v1/orders/\(a.id)/confirm", [String: String]()).status, .ok)
            let second = try await coop.post("/api/v1/orders/\(b.id)/confirm", [String: String]())
            XCTAssertEqual(second.status, .conflict)
            XCTAssertEqual(try second.error().error.message, "“土豆”库存不足：可售50斤，订单需100斤")
            try await assertEqual(try await Order.find(b.id, on: app.db)?.state, "placed")
            try await assertEqual(try await Offer.find(offer, on: app.db)?.reservedThousandths, 100_000)
            let cancelled = try await lead.post("/api/v1/orders/\(b.id)/cancel", [String: String]())
            XCTAssertEqual(try cancelled.error().error.field, "reason", "a cancellation says why")
            try await assertEqual(try await lead.post("/api/v1/orders/\(b.id)/cancel", ["reason": "重复下单"]).status, .ok)

            let bill = ["waybills": [["carrier": "顺丰速运", "number": "SF5550001"]]]
            try await assertEqual(try await coop.post("/api/v1/orders/\(a.id)/ship", bill).status, .ok)
            let c = try await Self.place(lead, Place(buyerUnitId: f.school,
                lines: one("10斤"))).content.decode(OrderJSON.self)
            _ = try await coop.post("/api/v1/orders/\(c.id)/confirm", [String: String]())
            let reused = try await coop.post("/api/v1/orders/\(c.id)/ship", bill)
            XCTAssertEqual(try reused.error().error.code, "waybill_reused")
            let badPay = try await lead.post("/api/v1/orders/\(a.id)/pay", ["reference": "转账"])
            XCTAssertEqual(try badPay.error().error.field, "reference")

            // A closed month: acceptance and its ledger rows are one transaction, so neither is written.
            _ = try await apiClient(app, "office").put("/api/v1/ledger/settings", ["orderRule": "onAcceptance"])
            try await ClosedPeriod(jurisdiction: Fixtures.yunyang, month: "2026-11",
                closedBy: "test").create(on: app.db)
            let locked = try await lead.post("/api/v1/orders/\(a.id)/accept", [String: String]())
            XCTAssertEqual(try locked.error().error.code, "period_locked", locked.body.string)
            try await assertEqual(try await Order.find(a.id, on: app.db)?.state, "shipped")
            try await assertEqual(try await OrderLine.query(on: app.db).filter(\.$acceptedThousandths != nil).count(),
                0)
            try await assertEqual(try await Purchase.query(on: app.db).count(), 0)
            try await assertEqual(try await OrderStep.query(on: app.db).filter(\.$step == "accept").count(), 0)
        }
    }

    func testEachSideSeesAndActsOnItsOwnOrdersOnly() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let offer = try await Self.certifiedOffer(app)
            let lead = try await apiClient(app, "lead")
            let order = try await Self.place(lead, Place(buyerUnitId: f.school, lines: [Line(offerId: offer,
                quantity: "10斤")]))
                .content.decode(OrderJSON.self)
            for who in ["lead", "supplier", "clerk", "office", "admin"] {
                let res = try await apiClient(app, who).get("/api/v1/orders/\(order.id)")
                XCTAssertEqual(res.status, .ok, "\(who) sees it")
            }
            for who in ["buyer", "office.wuxi"] {
                let api = try await apiClient(app, who)
                try await assertEqual(try await api.get("/api/v1/orders/\(order.id)").status, .notFound, who)
                struct L: Decodable { let id: Int }
                try await assertEqual(try await api.get("/api/v1/orders").content.decode([L].self).count, 0, who)
            }
            let buyer = try await apiClient(app, "buyer"), clerk = try await apiClient(app, "clerk")
            try await assertEqual(try await buyer.post("/api/v1/orders/\(order.id)/confirm", [String: String]()).status,
                .forbidden)
            try await assertEqual(try await clerk.post("/api/v1/orders/\(order.id)/accept", [String: String]()).status,
                .forbidden)
            try await assertEqual(try await apiClient(app, "admin").post("/api/v1/orders/\(order.id)/cancel",
                ["reason": "x"]).status,
                           .forbidden)
            try await assertEqual(try await clerk.post("/api/v1/orders/\(order.id)/confirm", [String: String]()).status,
                .ok,
                           "the township clerk confirms for a household of its township")
        }
    }

    func testASellerQuotesForAnOpenNeedAndTheBuyerOrdersAtTheQuotedPrice() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let offer = try await Self.certifiedOffer(app)
            let lead = try await apiClient(app, "lead"), coop = try await apiClient(app, "supplier")
            struct NeedBody: Encodable {
                var buyerUnitId: Int; var variety = "土豆"; var quantity = "100斤"; var priceCeiling = "4元/斤"
                var deliveryRegionCode = Fixtures.yunyang; var deliveryAddress = "食堂"; var from = "2026-12-01"
                var to = "2026-12-31"; var everyDays = 7
            }
            let need = try await lead.post("/api/v1/needs",
                NeedBody(buyerUnitId: f.school)).content.decode(NeedDTO.self)
            XCTAssertEqual(need.deliveries, ["2026-12-01", "2026-12-08", "2026-12-15", "2026-12-22", "2026-12-29"])
            let open = try await coop.get("/api/v1/needs/open").content.decode([NeedDTO].self)
            XCTAssertEqual(open.map(\.id), [need.id])
            struct QuoteBody: Encodable { let offerId: Int; var price = "3.6元/斤"; var quantity = "100斤" }
            let high = try await coop.post("/api/v1/needs/\(need.id)/quotes", QuoteBody(offerId: offer,
                price: "4.5元/斤"))
            XCTAssertEqual(try high.error().error.code, "above_ceiling")
            let quote = try await coop.post("/api/v1/needs/\(need.id)/quotes", QuoteBody(offerId: offer))
            XCTAssertEqual(quote.status, .created, quote.body.string)
            let again = try await coop.post("/api/v1/needs/\(need.id)/quotes", QuoteBody(offerId: offer))
            XCTAssertEqual(again.status, .conflict)
            let quotes = try await lead.get("/api/v1/needs/\(need.id)/quotes").content.decode([QuoteDTO].self)
            XCTAssertEqual(quotes.map(\.price), ["3.6元/斤"])
            let quoted = try XCTUnwrap(quotes.first)
            let dearer = try await Self.certifiedOffer(app, OfferBody(sellerName: "高价合作社", price: "9元/斤"), as: "office")
            let misused = try await Self.refusal(lead, Place(buyerUnitId: f.school, needId: need.id, quoteId: quoted.id,
                                                             lines: [Line(offerId: dearer, quantity: "100斤")]))
            XCTAssertEqual(misused.code, "not_quoted", "a quote's price is for the quoted offer only")
            let more = try await Self.refusal(lead, Place(buyerUnitId: f.school, needId: need.id, quoteId: quoted.id,
                                                          lines: [Line(offerId: offer, quantity: "120斤")]))
            XCTAssertEqual(more.code, "not_quoted", "nor beyond the quoted quantity")
            let order = try await Self.place(lead, Place(buyerUnitId: f.school, needId: need.id, quoteId: quoted.id))
            XCTAssertEqual(order.status, .created, order.body.string)
            XCTAssertEqual(try order.content.decode(OrderJSON.self).goodsFen, 36_000, "100斤 at the quoted 3.6元")
            try await assertEqual(try await apiClient(app, "buyer").get("/api/v1/needs/\(need.id)/quotes").status,
                .notFound)
        }
    }

    func testEveryOpenNeedIsMatchedAgainAndASellerSeesWhereItsOfferStands() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let coop = try await Self.certifiedOffer(app)
            let cheaper = try await Self.certifiedOffer(app, OfferBody(sellerName: "另一合作社", price: "3元/斤"),
                                                        as: "office")
            struct Pair: Encodable {
                let kind = "designatedAssistance"; let helperUnitId: Int; let helpedRegionCode = Fixtures.village
                let startsOn = "2026-01-01"
            }
            _ = try await apiClient(app, "office").post("/api/v1/pairings", Pair(helperUnitId: f.school))
            struct NeedBody: Encodable {
                var buyerUnitId: Int
                var variety = "土豆"; var quantity = "100斤"; var deliveryRegionCode = Fixtures.yunyang
                var deliveryAddress = "食堂"; var from = "2026-12-01"; var to = "2026-12-31"
            }
            let lead = try await apiClient(app, "lead")
            let need = try await lead.post("/api/v1/needs", NeedBody(buyerUnitId: f.school)).content.decode(Id.self).id
            let summary = try await NeedRematch.run(on: app.db, today: Self.today)
            XCTAssertEqual([summary.needs, summary.matches], [1, 2])
            struct Kept: Decodable { let offer_id: Int; let rank: Int; let tier: Int }
            let kept = try await (app.db as! any SQLDatabase)
                .raw("SELECT offer_id, rank, tier FROM need_matches ORDER BY rank").all(decoding: Kept.self)
            XCTAssertEqual(kept.map(\.offer_id), [cheaper, coop], "the paired village's offers, cheaper first")
            XCTAssertEqual(kept.map(\.tier), [1, 1])
            struct M: Decodable { struct O: Decodable { let offerId: Int }; let matches: [O] }
            let live = try await lead.get("/api/v1/needs/\(need)/matches").content.decode(M.self)
            XCTAssertEqual(live.matches.map(\.offerId), kept.map(\.offer_id), "the batch and the page agree")
            var seller = try await Browser.signIn(app, "supplier")
            let page = try await seller.get("/needs/open").body.string
            XCTAssertTrue(page.contains("本方产品在推荐名单第2位"), page)
        }
    }

    func testAUnitOrdersStraightFromAProductPageAndABadQuantityComesBackBesideTheForm() async throws {
        try await withApp { app, _ in
            app.setToday(Self.today)
            let offer = try await Self.certifiedOffer(app)
            var hospital = try await Browser.signIn(app, "buyer")
            let page = try await hospital.get("/catalogue/\(offer)").body.string
            XCTAssertTrue(page.contains("id=\"item-order-form\""), "a unit may order from the product page")
            let tooMuch = try await hospital.post("/orders", ["offerId": "\(offer)", "quantity": "151斤",
                                                               "deliveryAddress": "医院食堂", "key": "k-page"])
            XCTAssertEqual(tooMuch.status, .conflict)
            XCTAssertTrue(tooMuch.body.string.contains("库存不足"), "the product page again, with the reason")
            let placed = try await hospital.post("/orders", ["offerId": "\(offer)", "quantity": "20斤",
                                                              "deliveryAddress": "医院食堂", "freight": "8", "key": "k-page"])
            XCTAssertEqual(placed.status, .seeOther)
            let again = try await hospital.post("/orders", ["offerId": "\(offer)", "quantity": "20斤",
                                                             "deliveryAddress": "医院食堂", "freight": "8", "key": "k-page"])
            XCTAssertEqual(again.headers.first(name: .location), placed.headers.first(name: .location),
                "a double click")
            try await assertEqual(try await Order.query(on: app.db).count(), 1)
            var visitor = Browser(app: app)
            let anonymous = try await visitor.get("/catalogue/\(offer)").body.string
            XCTAssertFalse(anonymous.contains("item-order-form"), "no order form for a visitor")
        }
    }

    /// The hot path reads only the first rows in the rule's order; with more offers than a page holds, its first
    /// 50 must still be `rank`'s first 50 over the whole catalogue, with and without helped places and marks.
    func testThePagesFirstFiftyAreTheRulesFirstFiftyOverTheWholeCatalogue() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let deep = "code,name,parent,flags\n500235139000,泥溪镇,,原深度贫困\n500235139201,黄岭村,,原深度贫困\n"
            _ = try await RegionStore.importCSV(deep, on: app.db, by: .command("test"))
            let office = try await apiClient(app, "office")
            var rng = SystemRandomNumberGenerator()
            for i in 0..<80 {
                let place = [Fixtures.village, "500235139201", Fixtures.longjiao][i % 3]
                var body = OfferBody(regionCode: place, sellerName: "合作社\(i)",
                    quantity: "\(Int.random(in: 20...300, using: &rng))斤",
                                     price: "\(Int.random(in: 200...400, using: &rng) / 100).\(Int.random(in: 10...99, using: &rng))元/斤")
                body.linkedHouseholds = nil
                let res = try await office.post("/api/v1/offers", body)
                XCTAssertEqual(res.status, .created, res.body.string)
                let id = try res.content.decode(Id.self).id
                if i % 7 != 0 {
                    let a = ProductApplication()
                    a.$offer.id = id; a.regionCode = Fixtures.yunyang; a.productName = "土豆"; a.documents = "检测报告"
                    a.state = CertificationState.certified.rawValue
                    a.validFrom = "2026-11-01"; a.validUntil = "2027-10-31"
                    try await a.create(on: app.db)
                }
                if i % 5 == 0 {
                    try await (app.db as! any SQLDatabase)
                        .raw("UPDATE offers SET quality_marks = 'green' WHERE id = \(bind: id)").run()
                }
            }
            struct Pair: Encodable {
                let kind = "designatedAssistance"; let helperUnitId: Int; let helpedRegionCode = Fixtures.village
                let startsOn = "2026-01-01"
            }
            _ = try await office.post("/api/v1/pairings", Pair(helperUnitId: f.school))
            let lead = try await apiClient(app, "lead"), buyer = try await apiClient(app, "buyer")
            struct NeedBody: Encodable {
                var buyerUnitId: Int?
                var variety = "土豆"; var quantity = "100斤"; var deliveryRegionCode = Fixtures.yunyang
                var deliveryAddress = "食堂"; var from = "2026-12-01"; var to = "2026-12-31"; var marks: [String] = []
                var priceCeiling: String? = nil
            }
            let bodies: [(APIClient, NeedBody)] = [
                (lead, NeedBody(buyerUnitId: f.school)), (buyer, NeedBody()), (lead, NeedBody(buyerUnitId: f.school,
                    marks: ["green"])),
                (buyer, NeedBody(marks: ["green"], priceCeiling: "3.8元/斤")),
            ]
            for (api, body) in bodies {
                let id = try await api.post("/api/v1/needs", body).content.decode(Id.self).id
                struct M: Decodable { struct O: Decodable { let offerId: Int }; let matches: [O] }
                let shown = try await api.get("/api/v1/needs/\(id)/matches").content.decode(M.self).matches
                    .map(\.offerId)
                let stored = try await Need.find(id, on: app.db)
                let need = try XCTUnwrap(stored)
                let everyOffer = try await NeedRematch.offers("土豆", unit: "斤", today: Self.today, on: app.db)
                let rule = NeedMatching.rank(try await NeedController.matcherNeed(need, on: app.db), everyOffer)
                XCTAssertGreaterThan(rule.count, 50, "more offers than the page shows: \(body)")
                XCTAssertEqual(shown, Array(rule.prefix(50)).map(\.offerID), "\(body)")
            }
        }
    }

    func testTwoConfirmationsAtOnceHoldTheStockOnceAndABarredSupplierIsNeitherMatchedNorOrdered() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let offer = try await Self.certifiedOffer(app)
            let lead = try await apiClient(app, "lead"), coop = try await apiClient(app, "supplier")
            let order = try await Self.place(lead, Place(buyerUnitId: f.school, lines: [Line(offerId: offer,
                quantity: "60斤")]))
                .content.decode(OrderJSON.self)
            async let first = coop.post("/api/v1/orders/\(order.id)/confirm", [String: String]())
            async let second = coop.post("/api/v1/orders/\(order.id)/confirm", [String: String]())
            let statuses = [try await first.status, try await second.status]
            XCTAssertEqual(statuses.filter { $0 == .ok }.count, 1, "\(statuses)")
            try await assertEqual(try await Offer.find(offer, on: app.db)?.reservedThousandths, 60_000, "held once")

            let entry = BlacklistEntry()
            entry.$supplier.id = f.coop; entry.regionCode = Fixtures.yunyang; entry.reason = "以次充好"
            entry.startsOn = "2026-11-01"
            try await entry.create(on: app.db)
            struct NeedBody: Encodable {
                var buyerUnitId: Int
                var variety = "土豆"; var quantity = "10斤"; var deliveryRegionCode = Fixtures.yunyang
                var deliveryAddress = "食堂"; var from = "2026-12-01"; var to = "2026-12-31"
            }
            let need = try await lead.post("/api/v1/needs", NeedBody(buyerUnitId: f.school)).content.decode(Id.self).id
            struct M: Decodable { struct O: Decodable { let offerId: Int }; let matches: [O] }
            try await assertEqual(try await lead.get("/api/v1/needs/\(need)/matches").content.decode(M.self).matches.count, 0)
            let refused = try await Self.refusal(lead, Place(buyerUnitId: f.school, lines: [Line(offerId: offer,
                quantity: "1斤")]))
            XCTAssertEqual(refused.code, "blacklisted")
        }
    }
}
