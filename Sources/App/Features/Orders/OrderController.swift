import BangfuKit
import Fluent
import Vapor

/// Orders over the API: placing, every step, the order with its lines, waybills, history and what it lacks.
enum OrderController {
    /// An order as its pages and the API show it: lines, waybills with their events, and 未完成's missing steps.
    static func detail(_ o: Order, on db: any Database) async throws -> OrderDTO {
        var d = OrderDTO(o)
        d.lines = try await OrderLine.query(on: db).filter(\.$order.$id == o.id!).sort(\.$id).all()
            .map(OrderLineDTO.init)
        d.waybills = try await TrackingService.waybills(of: [o.id!], on: db)[o.id!] ?? []
        d.missing = try await OrderProgress.missing(o, on: db)
        d.buyerUnitName = try await BuyerUnit.find(o.$buyerUnit.id, on: db)?.name
        return d
    }

    static func list(_ req: Request, state: String?, limit: Int = 200) async throws -> [Order] {
        let q = Order.query(on: req.db).scoped(by: req.scope(for: .viewOrders) ?? req.scope)
        if let state, OrderState(rawValue: state) != nil { q.filter(\.$state == state) }
        if req.query["unpaid"] == "1" {
            q.filter(\.$paymentState == PaymentState.unpaid.rawValue).filter(\.$acceptedOn != nil)
        }
        return try await q.sort(\.$id, .descending).limit(limit).all()
    }

    @Sendable static func apiIndex(req: Request) async throws -> [OrderDTO] {
        try await list(req, state: req.query["state"]).map(OrderDTO.init)
    }

    @Sendable static func apiShow(req: Request) async throws -> OrderDTO {
        try await detail(try await find(req), on: req.db)
    }

    static func find(_ req: Request) async throws -> Order {
        guard let id = req.parameters.get("id", as: Int.self),
              let o = try await Order.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("订单") }
        return o
    }

    /// 201 with the new order; 200 with the first one when its idempotency key was seen before.
    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let (o, created) = try await OrderService.place(try req.content.decode(OrderInput.self), req: req)
        return try await detail(o, on: req.db).encodeResponse(status: created ? .created : .ok, for: req)
    }

    /// One step of the order, by the side that takes it; the order as it now stands.
    static func apiStep(_ side: OrderProgress.Side,
                        _ body: @escaping @Sendable (Order, Request) async throws -> Void)
        -> @Sendable (Request) async throws -> OrderDTO {
        { req in
            let o = try await OrderProgress.find(req, side: side)
            try await body(o, req)
            return try await detail(o, on: req.db)
        }
    }

    static let apiConfirm = apiStep(.seller) { o, req in try await OrderProgress.confirm(o, req: req) }
    static let apiShip = apiStep(.seller) { o, req in
        try await OrderProgress.ship(o, try req.content.decode(OrderProgress.ShipInput.self), req: req)
    }
    static let apiReceipt = apiStep(.seller) { o, req in try await OrderProgress.confirmReceipt(o, req: req) }
    static let apiRefund = apiStep(.seller) { o, req in
        try await OrderProgress.refund(o, try req.content.decode(OrderProgress.ReasonInput.self), req: req)
    }
    static let apiAccept = apiStep(.buyer) { o, req in
        try await OrderProgress.accept(o, try req.content.decode(OrderProgress.AcceptInput.self), req: req)
    }
    static let apiPay = apiStep(.buyer) { o, req in
        try await OrderProgress.pay(o, try req.content.decode(OrderProgress.PayInput.self), req: req)
    }
    static let apiEvaluate = apiStep(.buyer) { o, req in
        try await OrderProgress.evaluate(o, try req.content.decode(OrderProgress.EvaluateInput.self), req: req)
    }

    /// 取消: by the buyer before the seller ships, or by the seller refusing it.
    @Sendable static func apiCancel(req: Request) async throws -> OrderDTO {
        let o = try await find(req)
        try await OrderProgress.cancel(o, try req.content.decode(OrderProgress.ReasonInput.self), req: req)
        return try await detail(o, on: req.db)
    }

    @Sendable static func apiSteps(req: Request) async throws -> [OrderStepDTO] {
        let o = try await find(req)
        return try await OrderStep.query(on: req.db).filter(\.$orderID == o.id!).sort(\.$id).all()
            .map(OrderStepDTO.init)
    }
}
