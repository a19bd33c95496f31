import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Placing an order: one seller's offers at their price (or a quote's), within the need's ceiling and the stock.
enum OrderService {
    /// The order, and whether it is new (false: the idempotency key had already placed it).
    static func place(_ input: OrderInput, req: Request) async throws -> (Order, created: Bool) {
        let need = try await need(input.needId, req: req)
        // An order for a need is the need's unit's.
        let unit = try await buyerUnit(input.buyerUnitId ?? need?.$buyerUnit.id, req: req)
        let key = try FormValue.optionalText(input.idempotencyKey, "idempotencyKey", "幂等键", max: 64)
        if let key, let first = try await existing(unit: unit.id!, key: key, on: req.db) { return (first, false) }
        try refuseFreightOnSeller(input.freightDeductedFromSeller)
        let quote = try await quote(input.quoteId, need: need, req: req)
        let wanted = try lineInputs(input, quote: quote)
        let offers = try await Offer.query(on: req.db).filter(\.$id ~~ wanted.map(\.offerID)).all()
        let o = Order()
        try await fill(o, unit: unit, input: input, need: need, req: req)
        o.quoteID = quote?.id
        o.idempotencyKey = key
        let lines = try await priced(wanted, offers: offers, quote: quote, need: need, order: o, req: req)
        o.goodsFen = try sum(lines.map(\.amountFen))
        let created = try await save(o, lines: lines, quote: quote, req: req)
        if !created, let key, let first = try await existing(unit: unit.id!, key: key, on: req.db) { return (first,
            false) }
        return (o, true)
    }

    static func existing(unit: Int, key: String, on db: any Database) async throws -> Order? {
        try await Order.query(on: db).filter(\.$buyerUnit.$id == unit).filter(\.$idempotencyKey == key).first()
    }

    static func buyerUnit(_ id: Int?, req: Request) async throws -> BuyerUnit {
        let scope = req.scope(for: .placeOrders) ?? req.scope
        let unitID: Int
        if case .buyerUnit(let own) = scope { unitID = own } else {
            guard let id else { throw FieldError.required("buyerUnitId", "采购单位") }
            unitID = id
        }
        guard let unit = try await BuyerUnit.query(on: req.db).scoped(by: scope).filter(\.$id == unitID).first() else {
            throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "采购单位不存在或不在您的范围内")
        }
        return unit
    }

    /// Seed 003: 物流费用由采购单位承担、不得向贫困户另行收取.
    static func refuseFreightOnSeller(_ text: String?) throws {
        guard let text, !text.isEmpty else { return }
        let fen = Fen.parse(text) ?? Fen(1)
        do { _ = try OrderFlow.sellerReceivable(goodsAccepted: .zero, freightDeducted: fen) } catch {
            throw FieldError(field: "freightDeductedFromSeller", code: error.code, message: error.message)
        }
    }

    static func need(_ id: Int?, req: Request) async throws -> Need? {
        guard let id else { return nil }
        let scope = req.scope(for: .postNeeds) ?? req.scope
        guard let n = try await Need.query(on: req.db).scoped(by: scope).filter(\.$id == id).first() else {
            throw FieldError(field: "needId", code: "out_of_scope", message: "采购需求不存在或不在您的范围内")
        }
        return n
    }

    static func quote(_ id: Int?, need: Need?, req: Request) async throws -> Quote? {
        guard let id else { return nil }
        guard let need, let q = try await Quote.find(id, on: req.db), q.needID == need.id, q.state == "open" else {
            throw FieldError(field: "quoteId", code: "unknown_quote", message: "报价不存在、已下单或不属于该需求")
        }
        return q
    }

    struct Wanted { let offerID: Int; let quantity: Quantity? ; let text: String }

    static func lineInputs(_ input: OrderInput, quote: Quote?) throws -> [Wanted] {
        if let quote, input.lines?.isEmpty ?? true {
            return [Wanted(offerID: quote.offerID, quantity: quote.quantity, text: quote.quantity.description)]
        }
        guard let lines = input.lines, !lines.isEmpty else { throw FieldError.required("lines", "订单明细") }
        guard lines.count <= 50 else {
            throw FieldError(field: "lines", code: "too_many", message: "一张订单最多50行")
        }
        return try lines.enumerated().map { i, l in
            guard let id = l.offerId else { throw FieldError.required("lines[\(i)].offerId", "第\(i + 1)行的产品") }
            return Wanted(offerID: id, quantity: Quantity.parse(l.quantity ?? ""), text: l.quantity ?? "")
        }
    }

    static func fill(_ o: Order, unit: BuyerUnit, input: OrderInput, need: Need?, req: Request) async throws {
        o.$buyerUnit.id = unit.id!
        o.buyerRegionCode = unit.regionCode
        o.buyerSystemID = unit.$system.id
        o.needID = need?.id
        o.state = OrderState.placed.rawValue
        o.paymentState = PaymentState.unpaid.rawValue
        let purpose = input.purpose ?? need?.purpose ?? PurchasePurpose.canteen.rawValue
        o.purpose = (try FormValue.choice(purpose, "purpose", "用途") as PurchasePurpose).rawValue
        let freight = input.freight.map { $0.isEmpty ? "0" : $0 } ?? "0"
        guard let fen = Fen.parse(freight), fen >= .zero else {
            throw FieldError.invalid("freight", "运费", "如“15元”，不能为负")
        }
        o.freightFen = fen.value
        let place = input.deliveryRegionCode ?? need?.deliveryRegionCode ?? unit.regionCode
        o.deliveryRegionCode = try await Guard.region(place, field: "deliveryRegionCode", scope: .everything,
                                                      on: req.db).digits
        o.deliveryAddress = try FormValue.text(input.deliveryAddress ?? need?.deliveryAddress,
                                               "deliveryAddress", "送货地址", max: 100)
        o.placedOn = req.today.description
        o.placedBy = req.currentUser?.signature ?? ""
    }

    /// The lines at their prices, each checked against the offer's stock, certification and the need's ceiling.
    static func priced(_ wanted: [Wanted], offers: [Offer], quote: Quote?, need: Need?, order o: Order,
                       req: Request) async throws -> [OrderLine] {
        let byID = Dictionary(uniqueKeysWithValues: offers.map { ($0.id!, $0) })
        let certs = try await certifications(offers.compactMap(\.id), today: req.today, on: req.db)
        let barred = Set(try await Blacklist.active(on: req.db, today: req.today).all().map(\.$supplier.id))
        var lines: [OrderLine] = []
        for (i, w) in wanted.enumerated() {
            let field = "lines[\(i)]"
            guard let offer = byID[w.offerID] else {
                throw FieldError(field: "\(field).offerId", code: "unknown_offer", message: "第\(i + 1)行的产品不存在")
            }
            try sameSeller(offer, as: o, first: i == 0, field: field)
            if let supplier = offer.$supplier.id, barred.contains(supplier) {
                throw FieldError(field: "\(field).offerId", code: "blacklisted", message: "第\(i + 1)行的供方已列入黑名单")
            }
            if let quote, offer.id != quote.offerID || (w.quantity?.thousandths ?? 0) > quote.quantityThousandths {
                throw FieldError(field: "\(field).offerId", code: "not_quoted",
                                 message: "按报价下单只能订购报价的产品，数量不超过报价的\(quote.quantity)")
            }
            if need?.certifiedOnly ?? true, certs[offer.id!] == nil {
                throw FieldError(field: "\(field).offerId", code: "not_certified",
                                 message: "“\(offer.variety)”（\(offer.sellerMasked)）未经认定或认定已过期")
            }
            guard let q = w.quantity, q.unit == offer.quantityUnit else {
                throw FieldError.invalid("\(field).quantity", "第\(i + 1)行的数量", "如“100\(offer.quantityUnit)”")
            }
            guard q.thousandths <= offer.available.thousandths else {
                throw APIError(status: .conflict, code: "out_of_stock",
                               message: "第\(i + 1)行“\(offer.variety)”库存不足：可售\(offer.available)，订购\(q)",
                               field: "\(field).quantity")
            }
            let price = quote.map { Fen($0.unitPriceFen) } ?? offer.price.fen
            if let ceiling = need?.priceCeilingFen, price.value > ceiling {
                throw FieldError(field: "\(field).offerId", code: "above_ceiling",
                                 message: "第\(i + 1)行单价\(price)高于需求的最高单价\(Fen(ceiling))")
            }
            guard let amount = OrderFlow.lineAmount(q.thousandths, unitPrice: price) else {
                throw FieldError.invalid("\(field).quantity", "第\(i + 1)行的数量", "金额超出上限")
            }
            let l = OrderLine()
            l.offerID = offer.id!; l.variety = offer.variety
            l.quantityThousandths = q.thousandths; l.quantityUnit = q.unit
            l.unitPriceFen = price.value; l.amountFen = amount.value
            l.certificationID = certs[offer.id!]
            lines.append(l)
        }
        return lines
    }

    /// One order, one seller: the first line names it, the others must be the same seller's.
    static func sameSeller(_ offer: Offer, as o: Order, first: Bool, field: String) throws {
        if first {
            o.supplierID = offer.$supplier.id
            o.sellerRegionCode = offer.regionCode
            o.sellerMasked = offer.sellerMasked
            return
        }
        let same = offer.$supplier.id != nil ? offer.$supplier.id == o.supplierID
            : (offer.regionCode == o.sellerRegionCode && offer.sellerMasked == o.sellerMasked && o.supplierID == nil)
        guard same else {
            throw FieldError(field: "\(field).offerId", code: "one_seller_per_order",
                             message: "一张订单只能向一个供方采购，请分别下单")
        }
    }

    /// Offer → the certification valid today (认定在有效期内).
    static func certifications(_ offers: [Int], today: LocalDate, on db: any Database) async throws -> [Int: Int] {
        guard !offers.isEmpty else { return [:] }
        let rows = try await ProductApplication.query(on: db).filter(\.$offer.$id ~~ offers)
            .filter(\.$state == CertificationState.certified.rawValue)
            .filter(\.$validUntil > today.description).all()
        return Dictionary(rows.compactMap { a in a.id.map { (a.$offer.id, $0) } }, uniquingKeysWith: max)
    }

    static func sum(_ amounts: [Int64]) throws -> Int64 {
        guard let total = Fen.total(amounts) else { throw FieldError.invalid("lines", "订单明细", "金额超出上限") }
        return total
    }

    /// Writes the order, its lines and its first step; false when the idempotency key won a race meanwhile.
    static func save(_ o: Order, lines: [OrderLine], quote: Quote?, req: Request) async throws -> Bool {
        do {
            try await req.db.writeTransaction { db in
                try await o.create(on: db)
                for l in lines {
                    l.$order.id = o.id!
                    try await l.create(on: db)
                }
                if let quote {
                    quote.state = "ordered"
                    try await quote.save(on: db)
                }
                try await OrderSteps.record("place", order: o, note: nil, req: req, on: db)
            }
            return true
        } catch let e as any DatabaseError where e.isConstraintFailure && o.idempotencyKey != nil {
            return false
        }
    }

    /// What the buyer pays: the goods (as accepted, once accepted) and the freight.
    static func payable(_ o: Order) -> Int64 { (o.acceptedFen ?? o.goodsFen) + o.freightFen }
}

extension OrderSteps {
    /// A step in the order's history and in the audit log, in the caller's transaction.
    static func record(_ step: String, order o: Order, note: String?, req: Request, on db: any Database,
                       before: OrderDTO? = nil) async throws {
        let s = OrderStep()
        s.orderID = o.id!
        s.step = step
        s.byName = req.currentUser?.signature ?? "系统"
        s.at = Date()
        s.note = note
        try await s.create(on: db)
        try await Audit.record(req, on: db, action: step, entity: "order", id: o.id, region: o.buyerRegionCode,
                               before: before, after: OrderDTO(o))
    }
}
