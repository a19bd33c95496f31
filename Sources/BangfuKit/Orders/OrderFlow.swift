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
    public static func ledgerReady(state: OrderState, paid: Bool, rule: LedgerRule) -> (ready: Bool, missing: [String]) {
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
}
