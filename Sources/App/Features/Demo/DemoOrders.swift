import BangfuKit
import Fluent
import Foundation

/// Orders for the demo: the school paired with the cooperative's village and a weekly need of its own; the
/// hospital's orders waiting at each step (to confirm, to accept, accepted long ago and unpaid), so that every
/// side's tiles and the receivables page have something to show. None is complete, so none is in the ledger.
enum DemoOrders {
    static func load(on db: any Database, today: LocalDate) async throws {
        guard let school = try await BuyerUnit.query(on: db).filter(\.$name == "云阳县实验中学").first(),
              let hospital = try await BuyerUnit.query(on: db).filter(\.$name == "云阳县人民医院").first(),
              let orange = try await Offer.query(on: db).filter(\.$variety == "云阳红橙")
                .filter(\.$supplier.$id != nil).first() else { return }
        let pairing = Pairing()
        pairing.kind = PairingKind.designatedAssistance.rawValue; pairing.$helperUnit.id = school.id!
        pairing.helpedRegionCode = orange.regionCode; pairing.startsOn = "2024-09-01"; pairing.note = "示例"
        pairing.matchTownship = false; pairing.status = Pairing.confirmed
        try await pairing.create(on: db)
        try await need(school, variety: "土豆", every: 7, today: today, on: db)
        let certificate = try await ProductApplication.query(on: db).filter(\.$offer.$id == orange.id!)
            .filter(\.$state == CertificationState.certified.rawValue).first()?.id
        let steps: [(OrderState, Int, PaymentState)] = [(.placed, 0, .unpaid), (.shipped, -3, .unpaid),
                                                        (.accepted, -45, .unpaid)]
        for (i, (state, days, payment)) in steps.enumerated() {
            try await order(hospital, orange, state: state, on: today.adding(days: days), payment: payment,
                            waybill: state == .placed ? nil : "SF20261100\(i)", certificate: certificate, on: db)
        }
    }

    static func need(_ unit: BuyerUnit, variety: String, every: Int, today: LocalDate,
        on db: any Database) async throws {
        let n = Need()
        n.$buyerUnit.id = unit.id!; n.buyerRegionCode = unit.regionCode; n.buyerSystemID = unit.$system.id
        n.variety = variety; n.quantityThousandths = 200_000; n.quantityUnit = "斤"; n.priceCeilingFen = 200
        n.certifiedOnly = true; n.qualityMarks = ""; n.purpose = PurchasePurpose.canteen.rawValue
        n.deliveryRegionCode = unit.regionCode; n.deliveryAddress = "\(unit.name)食堂"
        n.windowFrom = today.adding(days: 1).description; n.windowTo = today.adding(days: 50).description
        n.everyDays = every; n.state = "open"; n.postedBy = "演示数据"
        try await n.create(on: db)
    }

    static func order(_ unit: BuyerUnit, _ offer: Offer, state: OrderState, on day: LocalDate, payment: PaymentState,
                      waybill: String?, certificate: Int?, on db: any Database) async throws {
        let o = Order()
        o.$buyerUnit.id = unit.id!; o.buyerRegionCode = unit.regionCode; o.buyerSystemID = unit.$system.id
        o.supplierID = offer.$supplier.id; o.sellerRegionCode = offer.regionCode; o.sellerMasked = offer.sellerMasked
        o.state = state.rawValue; o.purpose = PurchasePurpose.canteen.rawValue
        o.goodsFen = 45_000; o.freightFen = 2_000; o.paymentState = payment.rawValue
        o.deliveryRegionCode = unit.regionCode; o.deliveryAddress = "\(unit.name)食堂"
        o.placedOn = day.description; o.placedBy = "演示数据"
        if state == .accepted { (o.acceptedOn, o.acceptedFen) = (day.adding(days: 3).description, 45_000) }
        try await o.create(on: db)
        let l = OrderLine()
        l.$order.id = o.id!; l.offerID = offer.id!; l.variety = offer.variety
        l.quantityThousandths = 100_000; l.quantityUnit = "斤"; l.unitPriceFen = 450; l.amountFen = 45_000
        l.certificationID = certificate
        if state == .accepted { (l.acceptedThousandths, l.acceptedFen) = (100_000, 45_000) }
        try await l.create(on: db)
        if state == .shipped {
            offer.reservedThousandths += l.quantityThousandths
            try await offer.save(on: db)
        }
        guard let waybill else { return }
        let w = WaybillRecord()
        w.orderID = o.id!; w.carrier = "顺丰速运"; w.number = waybill; w.shippedOn = day.adding(days: 1).description
        try await w.create(on: db)
        let e = TrackingEvent()
        e.waybillID = w.id!; e.at = "\(day.adding(days: 1)) 09:30"; e.place = "云阳县龙角镇"; e.status = "已揽收"
        e.source = "file"
        try await e.create(on: db)
    }
}
