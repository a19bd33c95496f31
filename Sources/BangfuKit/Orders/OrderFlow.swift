/// An online order's life (下单 → 供方确认 → 发货 → 签收验收 → 评价 → 完成), as one table of allowed steps, and the
/// two money rules seed 003 sets: freight is the buyer's own line and never comes off what the household is owed.
public enum OrderState: String, Sendable, Codable, CaseIterable, ChineseNamed {
    case placed, confirmed, shipped, accepted, evaluated, completed, cancelled
    public var chineseName: String {
        switch self {
        case .placed: "已下单"
        case .confirmed: "供方已确认"
        case .shipped: "已发货"
        case .accepted: "已验收"
        case .evaluated: "已评价"
        case .completed: "已完成"
        case .cancelled: "已取消"
        }
    }
}

public enum OrderEvent: String, Sendable, Codable, CaseIterable {
    case confirm, ship, accept, evaluate, complete, cancel
}

public struct OrderStepRefused: Error, Sendable, Equatable {
    public let code: String
    public let message: String
    public init(code: String, message: String) { self.code = code; self.message = message }
}

public enum OrderFlow {
    /// Every allowed step; anything else is refused with the state it was in.
    static let steps: [OrderState: [OrderEvent: OrderState]] = [
        .placed: [.confirm: .confirmed, .cancel: .cancelled],
        .confirmed: [.ship: .shipped, .cancel: .cancelled],
        .shipped: [.accept: .accepted],
        .accepted: [.evaluate: .evaluated],
        .evaluated: [.complete: .completed],
    ]

    public static func apply(_ event: OrderEvent, to state: OrderState) throws(OrderStepRefused) -> OrderState {
        guard let next = steps[state]?[event] else {
            throw OrderStepRefused(code: "step_not_allowed", message: "订单\(state.chineseName)，不能\(words(event))")
        }
        return next
    }

    public static func words(_ e: OrderEvent) -> String {
        switch e {
        case .confirm: "确认"
        case .ship: "发货"
        case .accept: "验收"
        case .evaluate: "评价"
        case .complete: "完成"
        case .cancel: "取消"
        }
    }

    /// When a completed order counts in the ledger: the 832 rule (accepted, paid and evaluated) or on acceptance.
    public enum LedgerRule: String, Sendable, Codable { case platform832, onAcceptance }

    /// Whether the order is ready to become ledger rows, and if not, what is missing ("未完成").
    public static func ledgerReady(state: OrderState, paid: Bool, rule: LedgerRule) -> (ready: Bool,
        missing: [String]) {
        let accepted = [.accepted, .evaluated, .completed].contains(state)
        var missing: [String] = []
        if !accepted { missing.append("验收") }
        if rule == .platform832 {
            if !paid { missing.append("付款") }
            if ![.evaluated, .completed].contains(state) { missing.append("评价") }
        }
        return (state != .cancelled && missing.isEmpty, missing)
    }

    /// What the seller is owed: the goods accepted. Freight is billed to the buyer (seed 003: 物流费用由采购单位
    /// 承担、不得向贫困户另行收取); a deduction from the seller is refused.
    public static func sellerReceivable(goodsAccepted: Fen, freightDeducted: Fen) throws(OrderStepRefused) -> Fen {
        guard freightDeducted == .zero else {
            throw OrderStepRefused(code: "freight_on_seller",
                                   message: "物流费用由采购单位承担，不得从脱贫户或合作社的货款中扣除")
        }
        return goodsAccepted
    }

    /// A line's amount: quantity (thousandths) × unit price, rounded to the 分; nil past what money can hold.
    public static func lineAmount(_ quantity: Int64, unitPrice: Fen) -> Fen? {
        let (product, overflow) = quantity.multipliedReportingOverflow(by: unitPrice.value)
        guard !overflow, quantity >= 0, unitPrice.value >= 0 else { return nil }
        let fen = product / 1_000 + (product % 1_000 >= 500 ? 1 : 0)
        return fen < Fen.maxFen ? Fen(fen) : nil
    }

    /// What is left to sell of an offer: its stock less what confirmed orders hold.
    public static func available(stock: Int64, reserved: Int64) -> Int64 { max(0, stock - max(0, reserved)) }

    /// The offer's reservation after a seller confirms `want` of it; refused when the stock cannot take it.
    public static func reserve(_ want: Quantity, stock: Quantity, reserved: Int64) throws(OrderStepRefused) -> Int64 {
        let left = available(stock: stock.thousandths, reserved: reserved)
        guard want.unit == stock.unit, want.thousandths <= left else {
            let have = Quantity(thousandths: left, unit: stock.unit)
            throw OrderStepRefused(code: "out_of_stock", message: "库存不足：可售\(have)，订单需\(want)")
        }
        return reserved + want.thousandths
    }

    /// One line as the buyer accepts it: what arrived and was taken, and why the rest was not.
    public struct Acceptance: Sendable, Equatable {
        public let ordered: Int64
        public let accepted: Int64
        public let reason: String?
        public init(ordered: Int64, accepted: Int64, reason: String?) {
            self.ordered = ordered; self.accepted = accepted; self.reason = reason
        }
    }

    /// Partial delivery is allowed; more than was ordered, or a shortfall without a reason, is not.
    public static func check(_ lines: [Acceptance]) throws(OrderStepRefused) {
        for (i, l) in lines.enumerated() {
            guard l.accepted >= 0, l.accepted <= l.ordered else {
                throw OrderStepRefused(code: "accepted_beyond_order", message: "第\(i + 1)行：验收数量不能超过订购数量")
            }
            guard l.accepted == l.ordered || !(l.reason ?? "").isEmpty else {
                throw OrderStepRefused(code: "reason_required", message: "第\(i + 1)行：短缺或拒收须注明原因")
            }
        }
    }

    /// Recording the buyer's payment: once the seller has confirmed the order, and only once.
    public static func pay(state: OrderState, payment: PaymentState) throws(OrderStepRefused) {
        guard payment == .unpaid, [.confirmed, .shipped, .accepted, .evaluated].contains(state) else {
            throw OrderStepRefused(code: "payment_not_allowed",
                                   message: "订单\(state.chineseName)、\(payment.chineseName)，不能付款")
        }
    }

    /// A refund: of a paid order not yet in the ledger (one in the ledger is corrected by a reversing entry).
    public static func refund(state: OrderState, payment: PaymentState, inLedger: Bool) throws(OrderStepRefused) {
        guard payment == .paid else {
            throw OrderStepRefused(code: "refund_not_allowed", message: "订单\(payment.chineseName)，无可退款项")
        }
        guard state != .completed, !inLedger else {
            throw OrderStepRefused(code: "refund_after_ledger", message: "订单已完成并入账，退款请在采购台账中冲正")
        }
    }
}

/// 未付款 / 已付款 / 已退款: what the buyer has paid for an order, with the bank's reference.
public enum PaymentState: String, Sendable, Codable, CaseIterable, ChineseNamed {
    case unpaid, paid, refunded
    public var chineseName: String {
        switch self {
        case .unpaid: "未付款"
        case .paid: "已付款"
        case .refunded: "已退款"
        }
    }
}
