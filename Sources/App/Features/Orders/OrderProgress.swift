import BangfuKit
import Fluent
import SQLKit
import Vapor

/// An order's steps after it is placed: the seller confirms (stock held) and ships with waybills; the buyer
/// accepts what arrived, pays and evaluates. Each step is one transaction with its history line, its audit line
/// and, when the jurisdiction's rule is met, the order's ledger rows.
enum OrderProgress {
    enum Side { case buyer, seller }

    /// The order, if it is the caller's to act on from `side`.
    static func find(_ req: Request, side: Side) async throws -> Order {
        guard let id = req.parameters.get("id", as: Int.self),
              let o = try await Order.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("订单") }
        // An office acts for its own side of an order: its units' purchases, or its sellers' sales.
        let place = side == .buyer ? o.buyerRegionCode : o.sellerRegionCode
        if case .region = req.scope, !req.scope.covers(region: place) { throw APIError.notFound("订单") }
        return o
    }

    static func refused(_ e: OrderStepRefused, field: String? = nil) -> APIError {
        APIError(status: .conflict, code: e.code, message: e.message, field: field)
    }

    static func step(_ event: OrderEvent, _ o: Order) throws {
        do { o.state = try OrderFlow.apply(event, to: o.orderState).rawValue } catch { throw refused(error) }
    }

    /// Runs `change` on the order and its lines in one transaction, records the step, then settles the order.
    static func act(_ o: Order, event: OrderEvent? = nil, step: String, note: String?, req: Request,
                    _ change: @escaping @Sendable (Order, [OrderLine],
                        any Database) async throws -> Void) async throws {
        let before = OrderDTO(o)
        let was = o.state
        if let event { try Self.step(event, o) }
        let moved = o.state
        try await req.db.writeTransaction { db in
            // Two clicks at once: only the first moves the order from the state both read.
            let claimed = try await (db as! any SQLDatabase).raw("""
                UPDATE orders SET state = \(bind: moved) WHERE id = \(bind: o.id!) AND state = \(bind: was) RETURNING id
                """).all()
            guard !claimed.isEmpty else {
                throw APIError(status: .conflict, code: "order_changed", message: "订单状态已变化，请刷新后再操作")
            }
            let lines = try await OrderLine.query(on: db).filter(\.$order.$id == o.id!).sort(\.$id).all()
            try await change(o, lines, db)
            try await o.save(on: db)
            try await OrderSteps.record(step, order: o, note: note, req: req, on: db, before: before)
            try await settle(o, lines: lines, req: req, on: db)
        }
    }

    /// Completes an evaluated, paid order, and writes its ledger rows when the buyer's jurisdiction's rule is met.
    static func settle(_ o: Order, lines: [OrderLine], req: Request, on db: any Database) async throws {
        if o.orderState == .evaluated, o.payment == .paid {
            o.state = OrderState.completed.rawValue
            try await o.save(on: db)
            try await OrderSteps.record("complete", order: o, note: nil, req: req, on: db)
        }
        guard o.ledgerOn == nil, try await missing(o, on: db).isEmpty, o.orderState != .cancelled else { return }
        try await OrderLedger.write(o, lines: lines, req: req, on: db)
    }

    /// What the order still lacks before it counts (未完成), under its buyer's jurisdiction's rule.
    static func missing(_ o: Order, on db: any Database) async throws -> [String] {
        guard o.ledgerOn == nil else { return [] }
        let rule = try await LedgerSettings.values(for: RegionCode(o.buyerRegionCode)!, on: db).orderRule
        return OrderFlow.ledgerReady(state: o.orderState, paid: o.payment == .paid, rule: rule).missing
    }

    // MARK: the seller's side

    /// 供方确认: the stock of every line is held, or nothing is (a conditional update per offer).
    static func confirm(_ o: Order, req: Request) async throws {
        try await act(o, event: .confirm, step: "confirm", note: nil, req: req) { o, lines, db in
            for l in lines {
                let held = try await (db as! any SQLDatabase).raw("""
                    UPDATE offers SET reserved_thousandths = reserved_thousandths + \(bind: l.quantityThousandths)
                    WHERE id = \(bind: l.offerID) AND quantity_unit = \(bind: l.quantityUnit)
                        AND quantity_thousandths - reserved_thousandths >= \(bind: l.quantityThousandths)
                    RETURNING id
                    """).all()
                guard !held.isEmpty else {
                    let offer = try await Offer.find(l.offerID, on: db)
                    let left = offer.map { $0.available.description } ?? "0"
                    throw APIError(status: .conflict, code: "out_of_stock",
                                   message: "“\(l.variety)”库存不足：可售\(left)，订单需\(l.quantity)")
                }
            }
        }
    }

    struct ShipInput: Content {
        struct Line: Content { var carrier: String?; var number: String? }
        var waybills: [Line]?
    }

    /// 发货 with one or more waybills; a waybill already used for another order is refused.
    static func ship(_ o: Order, _ input: ShipInput, req: Request) async throws {
        let given = input.waybills ?? []
        guard !given.isEmpty, given.count <= 20 else { throw FieldError.required("waybills", "运单（承运商和运单号）") }
        let carriers = Set(try await Carrier.query(on: req.db).all().map(\.name))
        var bills: [(String, String)] = []
        for (i, w) in given.enumerated() {
            let carrier = try FormValue.text(w.carrier, "waybills[\(i)].carrier", "承运商", max: 30)
            guard carriers.contains(carrier) else {
                throw FieldError(field: "waybills[\(i)].carrier", code: "unknown_carrier",
                                 message: "承运商“\(carrier)”未登记，请从列表中选择")
            }
            let number = (w.number ?? "").trimmed
            guard Waybill.isNumber(number) else {
                throw FieldError(field: "waybills[\(i)].number", code: "bad_waybill", message: "运单号须为4–32位字母或数字")
            }
            if let used = try await WaybillRecord.query(on: req.db).filter(\.$carrier == carrier)
                .filter(\.$number == number).first() {
                throw APIError(status: .conflict, code: "waybill_reused",
                               message: "运单号\(number)已用于订单#\(used.orderID)", field: "waybills[\(i)].number")
            }
            guard !bills.contains(where: { $0 == (carrier, number) }) else {
                throw FieldError(field: "waybills[\(i)].number", code: "duplicate", message: "运单号\(number)重复填写")
            }
            bills.append((carrier, number))
        }
        let today = req.today.description, shipped = bills
        let note = bills.map { "\($0.0) \($0.1)" }.joined(separator: "，")
        try await act(o, event: .ship, step: "ship", note: note, req: req) { o, _, db in
            for (carrier, number) in shipped {
                let w = WaybillRecord()
                w.orderID = o.id!; w.carrier = carrier; w.number = number; w.shippedOn = today
                try await w.create(on: db)
            }
        }
    }

    /// The seller confirms the buyer's payment arrived.
    static func confirmReceipt(_ o: Order, req: Request) async throws {
        guard o.payment == .paid else {
            throw refused(OrderStepRefused(code: "not_paid", message: "订单\(o.payment.chineseName)，无可确认的收款"))
        }
        let by = req.currentUser?.signature ?? ""
        try await act(o, step: "receipt", note: nil, req: req) { o, _, _ in o.receiptConfirmedBy = by }
    }

    struct ReasonInput: Content { var reason: String?; var reference: String? }

    /// 退款 by the seller, with a reason: a cancelled order's payment, or a shortfall's, before it counts.
    static func refund(_ o: Order, _ input: ReasonInput, req: Request) async throws {
        do { try OrderFlow.refund(state: o.orderState, payment: o.payment, inLedger: o.ledgerOn != nil) } catch {
            throw refused(error)
        }
        let reason = try FormValue.text(input.reason, "reason", "退款原因", max: 200)
        try await act(o, step: "refund", note: reason, req: req) { o, _, _ in
            o.paymentState = PaymentState.refunded.rawValue
            o.refundReason = reason
        }
    }

    // MARK: either side

    /// 取消, with a reason, before shipping; a confirmed order's stock is released.
    static func cancel(_ o: Order, _ input: ReasonInput, req: Request) async throws {
        let reason = try FormValue.text(input.reason, "reason", "取消原因", max: 200)
        let held = o.orderState == .confirmed
        try await act(o, event: .cancel, step: "cancel", note: reason, req: req) { o, lines, db in
            o.cancelReason = reason
            guard held else { return }
            for l in lines { try await release(l, sold: 0, on: db) }
        }
    }

    /// Gives back what a line held of its offer; `sold` leaves the stock for good.
    static func release(_ l: OrderLine, sold: Int64, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("""
            UPDATE offers
            SET reserved_thousandths = CASE WHEN reserved_thousandths > \(bind: l.quantityThousandths)
                    THEN reserved_thousandths - \(bind: l.quantityThousandths) ELSE 0 END,
                quantity_thousandths = CASE WHEN quantity_thousandths > \(bind: sold)
                    THEN quantity_thousandths - \(bind: sold) ELSE 0 END
            WHERE id = \(bind: l.offerID)
            """).run()
    }
}
