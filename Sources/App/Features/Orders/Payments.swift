import BangfuKit
import Vapor

/// How a buyer's payment is made and proved. The platform takes no money itself: a gateway records a payment
/// made elsewhere and says whether its reference is one it accepts.
protocol PaymentGateway: Sendable {
    /// 银行转账, 国库集中支付 …
    var method: String { get }
    /// The reference as kept, or a field error naming what is wrong with it.
    func record(reference: String?, amount: Fen) throws -> String
}

/// 银行转账: a unit pays from its account and gives the bank's transaction serial (流水号).
struct BankTransfer: PaymentGateway {
    let method = "银行转账"

    func record(reference: String?, amount: Fen) throws -> String {
        let serial = (reference ?? "").trimmed
        let ok = (6...40).contains(serial.count) && serial.unicodeScalars.allSatisfy {
            ("0"..."9").contains($0) || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || $0 == "-"
        }
        guard ok else {
            throw FieldError(field: "reference", code: "bad_reference", message: "请填写银行转账流水号（6–40位字母或数字）")
        }
        guard amount > .zero else {
            throw FieldError(field: "reference", code: "nothing_due", message: "本订单无应付金额")
        }
        return serial
    }
}

/// The buyer's side: 签收/验收, 付款, 评价.
extension OrderProgress {
    struct AcceptInput: Content {
        struct Line: Content {
            var lineId: Int?
            @NumberOrText var accepted: String?
            var reason: String?
        }
        /// Lines not named are taken whole.
        var lines: [Line]?
    }

    /// 验收: what arrived and was taken, line by line; a shortfall or rejection needs its reason. The stock
    /// held is released and what was taken leaves the offer for good.
    static func accept(_ o: Order, _ input: AcceptInput, req: Request) async throws {
        let today = req.today.description
        let named = Dictionary((input.lines ?? []).compactMap { l in l.lineId.map { ($0, l) } },
                               uniquingKeysWith: { a, _ in a })
        try await act(o, event: .accept, step: "accept", note: nil, req: req) { o, lines, db in
            guard Set(named.keys).isSubset(of: Set(lines.compactMap(\.id))) else {
                throw FieldError(field: "lines", code: "unknown_line", message: "验收的明细不属于本订单")
            }
            var checks: [OrderFlow.Acceptance] = []
            for l in lines {
                let given = named[l.id!]
                let taken = try acceptedQuantity(given?.accepted, line: l)
                let reason = try FormValue.optionalText(given?.reason, "reason", "短缺或拒收原因", max: 200)
                checks.append(.init(ordered: l.quantityThousandths, accepted: taken, reason: reason))
                l.acceptedThousandths = taken
                l.acceptedFen = OrderFlow.lineAmount(taken, unitPrice: Fen(l.unitPriceFen))?.value ?? 0
                l.shortfallReason = reason
            }
            do throws(OrderStepRefused) { try OrderFlow.check(checks) } catch { throw refused(error, field: "lines") }
            for l in lines {
                try await l.save(on: db)
                try await release(l, sold: l.acceptedThousandths ?? 0, on: db)
            }
            o.acceptedFen = try OrderService.sum(lines.map { $0.acceptedFen ?? 0 })
            o.acceptedOn = today
        }
    }

    /// "180", "180斤" or nothing (all of it), in the line's own unit.
    static func acceptedQuantity(_ text: String?, line l: OrderLine) throws -> Int64 {
        guard let text, !text.trimmed.isEmpty else { return l.quantityThousandths }
        let withUnit = text.trimmed.last?.isNumber == true ? text.trimmed + l.quantityUnit : text
        guard text.trimmed == "0" || Quantity.parse(withUnit)?.unit == l.quantityUnit else {
            throw FieldError.invalid("lines", "验收数量", "如“180\(l.quantityUnit)”")
        }
        return Quantity.parse(withUnit)?.thousandths ?? 0
    }

    struct PayInput: Content { var reference: String? }

    /// 付款: recorded through the gateway with its reference; the amount is what the order makes payable.
    static func pay(_ o: Order, _ input: PayInput, gateway: any PaymentGateway = BankTransfer(),
                    req: Request) async throws {
        do { try OrderFlow.pay(state: o.orderState, payment: o.payment) } catch { throw refused(error) }
        let reference = try gateway.record(reference: input.reference, amount: Fen(OrderService.payable(o)))
        let today = req.today.description
        try await act(o, step: "pay", note: "\(gateway.method) \(reference)", req: req) { o, _, _ in
            o.paymentState = PaymentState.paid.rawValue
            o.paymentReference = reference
            o.paidOn = today
        }
    }

    struct EvaluateInput: Content { var score: Int?; var text: String? }

    /// 评价: a score from 1 to 5 and, if the buyer likes, words.
    static func evaluate(_ o: Order, _ input: EvaluateInput, req: Request) async throws {
        guard let score = input.score, (1...5).contains(score) else {
            throw FieldError(field: "score", code: "out_of_range", message: "评分须为1–5分")
        }
        let text = try FormValue.optionalText(input.text, "text", "评价", max: 200)
        try await act(o, event: .evaluate, step: "evaluate", note: text, req: req) { o, _, _ in
            o.evaluationScore = score
            o.evaluationText = text
        }
    }
}
