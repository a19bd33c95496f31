import BangfuKit
import Vapor

struct OrderLineInput: Content {
    var offerId: Int?
    @NumberOrText var quantity: String?
}

/// An order as a unit places it: from a need's match, a quote or straight from an offer.
struct OrderInput: Content {
    var buyerUnitId: Int?
    var needId: Int?
    var quoteId: Int?
    var lines: [OrderLineInput]?
    /// 运费: the buyer's own line, never the seller's.
    @NumberOrText var freight: String?
    /// Freight to take off what the seller is owed: always refused (seed 003).
    @NumberOrText var freightDeductedFromSeller: String?
    var purpose: String?
    var deliveryRegionCode: String?
    var deliveryAddress: String?
    /// The same key sent twice (a double click, a retried request) returns the first order.
    var idempotencyKey: String?
}

struct OrderLineDTO: Content {
    let id: Int, offerId: Int, variety: String, quantity: String, unitPrice: String, amount: String, amountFen: Int64
    let accepted: String?, acceptedFen: Int64?, shortfallReason: String?, certificationId: Int?, purchaseId: Int?
    init(_ l: OrderLine) {
        id = l.id!; offerId = l.offerID; variety = l.variety; quantity = l.quantity.description
        unitPrice = UnitPrice(fen: Fen(l.unitPriceFen), unit: l.quantityUnit).description
        amount = Fen(l.amountFen).description; amountFen = l.amountFen
        accepted = l.acceptedThousandths.map { Quantity(thousandths: $0, unit: l.quantityUnit).description }
        acceptedFen = l.acceptedFen; shortfallReason = l.shortfallReason
        certificationId = l.certificationID; purchaseId = l.purchaseID
    }
}

struct WaybillDTO: Content {
    struct Event: Content { let at: String; let place: String; let status: String }
    let carrier: String, number: String, shippedOn: String
    var events: [Event] = []
}

struct OrderDTO: Content {
    let id: Int, buyerUnitId: Int, supplierId: Int?, seller: String, sellerRegionCode: String
    let state: String, stateName: String, purpose: String, goodsFen: Int64, freightFen: Int64, acceptedFen: Int64?
    let goods: String, freight: String, payable: String
    /// What the seller is owed: the goods accepted (or ordered, before acceptance). Freight never comes off it.
    let sellerReceivable: String
    let paymentState: String, paymentName: String, paymentReference: String?, paidOn: String?
    let receiptConfirmedBy: String?
    let deliveryRegionCode: String, deliveryAddress: String, placedOn: String, placedBy: String, acceptedOn: String?
    let evaluationScore: Int?, evaluationText: String?, cancelReason: String?, refundReason: String?
    let needId: Int?, quoteId: Int?
    /// In the ledger since this day, or nil with what is still missing (未完成).
    let ledgerOn: String?
    var missing: [String] = []
    var lines: [OrderLineDTO] = []
    var waybills: [WaybillDTO] = []
    var buyerUnitName: String? = nil

    init(_ o: Order) {
        id = o.id!; buyerUnitId = o.$buyerUnit.id; supplierId = o.supplierID; seller = o.sellerMasked
        sellerRegionCode = o.sellerRegionCode; state = o.state; stateName = o.orderState.chineseName
        purpose = o.purpose; goodsFen = o.goodsFen; freightFen = o.freightFen; acceptedFen = o.acceptedFen
        goods = Fen(o.goodsFen).description; freight = Fen(o.freightFen).description
        payable = Fen(OrderService.payable(o)).description
        sellerReceivable = Fen(o.acceptedFen ?? o.goodsFen).description
        paymentState = o.paymentState; paymentName = o.payment.chineseName; paymentReference = o.paymentReference
        paidOn = o.paidOn; receiptConfirmedBy = o.receiptConfirmedBy
        deliveryRegionCode = o.deliveryRegionCode; deliveryAddress = o.deliveryAddress
        placedOn = o.placedOn; placedBy = o.placedBy; acceptedOn = o.acceptedOn
        evaluationScore = o.evaluationScore; evaluationText = o.evaluationText
        cancelReason = o.cancelReason; refundReason = o.refundReason
        needId = o.needID; quoteId = o.quoteID; ledgerOn = o.ledgerOn
    }
}

struct OrderStepDTO: Content {
    let step: String, name: String, byName: String, at: String, note: String?
    init(_ s: OrderStep) {
        step = s.step; name = OrderSteps.name(s.step); byName = s.byName
        at = ShanghaiCalendar.format(s.at); note = s.note
    }
}

/// The words of each recorded step.
enum OrderSteps {
    static func name(_ step: String) -> String {
        if let e = OrderEvent(rawValue: step) { return OrderFlow.words(e) }
        return ["place": "下单", "pay": "付款", "receipt": "确认收款", "refund": "退款", "ledger": "入账"][step] ?? step
    }
}
