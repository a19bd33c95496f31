import BangfuKit
import Fluent
import Vapor

/// The orders pages: a unit's and a seller's lists with what waits on them, one order with the forms its
/// viewer may use at its state, the packing slip, the tracking upload and the receivables.
enum OrderPages {
    /// From a need's page: one match or quote ordered, or the recommended split, one order per seller.
    @Sendable static func place(req: Request) async throws -> Response {
        let f = try NeedInput.formValues(req)
        let needID = f.int("needId")
        var inputs: [OrderInput] = []
        let parts = f["split"] == "1" ? splitParts(f) : [(f.int("offerId"), f.text("quantity"))]
        for (i, part) in parts.enumerated() {
            inputs.append(OrderInput(buyerUnitId: f.int("buyerUnitId"), needId: needID, quoteId: f.int("quoteId"),
                                     lines: f.int("quoteId") == nil ? [OrderLineInput(offerId: part.0,
                                         quantity: part.1)] : nil,
                                     freight: i == 0 ? f.text("freight") : nil, purpose: nil,
                                     deliveryAddress: f.text("deliveryAddress"),
                                     idempotencyKey: f.text("key").map { "\($0)-\(i)" }))
        }
        do {
            var placed: [Order] = []
            for input in inputs { placed.append(try await OrderService.place(input, req: req).0) }
            let target = placed.count == 1 ? SiteURL.order.path(id: placed[0].id!) : SiteURL.orders.path
            return req.redirect(to: target)
        } catch let e as FieldError {
            return try await again(req, needID, f.int("offerId"), e.message, .unprocessableEntity)
        } catch let e as APIError where e.status.code < 500 {
            return try await again(req, needID, f.int("offerId"), e.message, e.status)
        }
    }

    /// The split's parts as the need page sends them: part_<offer>=<quantity>.
    static func splitParts(_ f: [String: String]) -> [(Int?, String?)] {
        f.keys.filter { $0.hasPrefix("part_") }.sorted().map { (Int($0.dropFirst(5)), f[$0]) }
    }

    /// The page the order came from, again, with what was wrong: the need's, or the product's.
    static func again(_ req: Request, _ need: Int?, _ offer: Int?, _ message: String,
                      _ status: HTTPStatus) async throws -> Response {
        guard let need else {
            let page = try await PublicController.itemPage(req, id: offer, error: message)
            return try await req.render("public/item", page, status: status)
        }
        req.parameters.set("id", to: String(need))
        return try await req.render("needs/show", try await NeedPages.detail(req, error: message), status: status)
    }

    struct Row: Encodable {
        let order: OrderDTO; let unit: String
    }
    struct Index: Encodable {
        let shell: Shell; let rows: [Row]; let tiles: [DashboardController.Tile]; let state: String?
        let canTrack: Bool; let states: [FormPage.Option]
    }

    @Sendable static func index(req: Request) async throws -> View {
        let state: String? = req.query["state"]
        let orders = try await OrderController.list(req, state: state)
        let unitIDs = Set(orders.map { $0.$buyerUnit.id })
        let units = try await BuyerUnit.query(on: req.db).filter(\.$id ~~ unitIDs).all()
        let names = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0.name) })
        let rows = orders.map { Row(order: OrderDTO($0), unit: names[$0.$buyerUnit.id] ?? "") }
        return try await req.view.render("orders/index", Index(
            shell: Shell(req), rows: rows, tiles: try await tiles(req), state: state,
            canTrack: req.scope(for: .fulfilOrders) != nil, states: OrderState.options))
    }

    /// What waits on the viewer: orders to confirm and ship (seller), to accept and pay (buyer), overdue (office).
    static func tiles(_ req: Request) async throws -> [DashboardController.Tile] {
        var tiles: [DashboardController.Tile] = []
        func count(_ scope: Scope, _ state: OrderState) async throws -> Int {
            try await Order.query(on: req.db).scoped(by: scope).filter(\.$state == state.rawValue).count()
        }
        if let s = req.scope(for: .fulfilOrders) {
            tiles.append(.init(title: "待确认订单", count: try await count(s, .placed), path: "/orders?state=placed"))
            tiles.append(.init(title: "待发货订单", count: try await count(s, .confirmed), path: "/orders?state=confirmed"))
        }
        if let s = req.scope(for: .placeOrders) {
            tiles.append(.init(title: "待验收订单", count: try await count(s, .shipped), path: "/orders?state=shipped"))
            let unpaid = try await Order.query(on: req.db).scoped(by: s)
                .filter(\.$paymentState == PaymentState.unpaid.rawValue).filter(\.$acceptedOn != nil)
                .filter(\.$state != OrderState.cancelled.rawValue).count()
            tiles.append(.init(title: "待付款订单", count: unpaid, path: "/orders?unpaid=1"))
        }
        if case .region = req.scope(for: .viewOrders) {
            let overdue = try await ReceivablesReport.report(req).overdueOrders
            tiles.append(.init(title: "逾期未付货款", count: overdue, path: SiteURL.receivables.path))
        }
        return tiles
    }

    struct Show: Encodable {
        let shell: Shell; let order: OrderDTO; let trace: [OrderTrace.Item]; let steps: [OrderStepDTO]
        let buyerSide: Bool; let sellerSide: Bool; let carriers: [String]; let scores: [Int]
        var error: String? = nil
    }

    static func show(_ req: Request, error: String? = nil) async throws -> Show {
        let o = try await OrderController.find(req)
        let trace = try await OrderTrace.trace(o, on: req.db)
        return Show(shell: Shell(req), order: trace.order, trace: trace.items, steps: trace.steps,
                    buyerSide: side(req, o, .buyer), sellerSide: side(req, o, .seller),
                    carriers: try await Carrier.query(on: req.db).sort(\.$id).all().map(\.name),
                    scores: [5, 4, 3, 2, 1], error: error)
    }

    /// Whether the viewer acts for the order's buyer or its seller.
    static func side(_ req: Request, _ o: Order, _ side: OrderProgress.Side) -> Bool {
        switch req.scope(for: side == .buyer ? .placeOrders : .fulfilOrders) {
        case .buyerUnit(let id)?: side == .buyer && o.$buyerUnit.id == id
        case .system(let id)?: side == .buyer && o.buyerSystemID == id
        case .supplier(let id)?: side == .seller && o.supplierID == id
        case .region(let r)?: Scope.region(r).covers(region: side == .buyer ? o.buyerRegionCode : o.sellerRegionCode)
        default: false
        }
    }

    @Sendable static func order(req: Request) async throws -> View {
        try await req.view.render("orders/show", try await show(req))
    }

    @Sendable static func slip(req: Request) async throws -> View {
        let o = try await OrderProgress.find(req, side: .seller)
        return try await req.view.render("orders/slip", try await OrderTrace.trace(o, on: req.db))
    }

    /// One form of the order page: the step, then back to the order, or the page again with the error.
    /// `side`: whose step it is (nil: either side's, as a cancellation).
    static func form(_ side: OrderProgress.Side?,
                     _ body: @escaping @Sendable (Order, [String: String], Request) async throws -> Void)
        -> @Sendable (Request) async throws -> Response {
        { req in
            let f = try NeedInput.formValues(req)
            let o = if let side { try await OrderProgress.find(req,
                side: side) } else { try await OrderController.find(req) }
            do {
                try await body(o, f, req)
                return req.redirect(to: SiteURL.order.path(id: o.id!))
            } catch let e as FieldError {
                return try await req.render("orders/show", try await show(req, error: e.message),
                    status: .unprocessableEntity)
            } catch let e as APIError where e.status.code < 500 {
                return try await req.render("orders/show", try await show(req, error: e.message), status: e.status)
            }
        }
    }

    static let confirm = form(.seller) { o, _, req in try await OrderProgress.confirm(o, req: req) }
    static let ship = form(.seller) { o, f, req in
        let bills = [f.text("number"), f.text("number2")].compactMap { $0 }
            .map { OrderProgress.ShipInput.Line(carrier: f.text("carrier"), number: $0) }
        try await OrderProgress.ship(o, .init(waybills: bills), req: req)
    }
    static let receipt = form(.seller) { o, _, req in try await OrderProgress.confirmReceipt(o, req: req) }
    static let refund = form(.seller) { o, f, req in
        try await OrderProgress.refund(o, .init(reason: f.text("reason")), req: req)
    }
    static let accept = form(.buyer) { o, f, req in
        let lines = try await OrderLine.query(on: req.db).filter(\.$order.$id == o.id!).all().map { l in
            OrderProgress.AcceptInput.Line(lineId: l.id, accepted: f.text("accepted_\(l.id!)"),
                reason: f.text("reason_\(l.id!)"))
        }
        try await OrderProgress.accept(o, .init(lines: lines), req: req)
    }
    static let pay = form(.buyer) { o, f, req in
        try await OrderProgress.pay(o, .init(reference: f.text("reference")), req: req)
    }
    static let evaluate = form(.buyer) { o, f, req in
        try await OrderProgress.evaluate(o, .init(score: f.int("score"), text: f.text("text")), req: req)
    }

    static let cancel = form(nil) { o, f, req in
        try await OrderProgress.cancel(o, .init(reason: f.text("reason")), req: req)
    }
}
