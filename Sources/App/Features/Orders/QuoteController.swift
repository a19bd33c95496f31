import BangfuKit
import Fluent
import Vapor

struct QuoteInput: Content {
    var offerId: Int?
    @NumberOrText var price: String?
    @NumberOrText var quantity: String?
    var note: String?
}

struct QuoteDTO: Content {
    let id: Int, needId: Int, offerId: Int, price: String, quantity: String, note: String?, state: String
    var seller: String? = nil, variety: String? = nil, place: String? = nil
    init(_ q: Quote) {
        id = q.id!; needId = q.needID; offerId = q.offerID
        price = UnitPrice(fen: Fen(q.unitPriceFen), unit: q.quantityUnit).description
        quantity = q.quantity.description; note = q.note; state = q.state
    }
}

/// Sellers and township clerks see the open needs their offers can serve and answer with a quote (报价).
enum QuoteController {
    /// Open needs, not yet past their window, for a variety or category the caller's offers have.
    static func answerable(_ req: Request) async throws -> [(Need, [Offer])] {
        let scope = req.scope(for: .quoteNeeds) ?? req.scope
        let barred = Set(try await Blacklist.active(on: req.db, today: req.today).all().map(\.$supplier.id))
        let offers = try await Offer.query(on: req.db).scoped(by: scope)
            .filter(\.$updatedOn > Freshness.freshSince(req.today).description).limit(2_000).all()
            .filter { o in o.$supplier.id.map { !barred.contains($0) } ?? true }
        let names = Set(offers.flatMap { [$0.variety, $0.category] })
        guard !names.isEmpty else { return [] }
        let needs = try await Need.query(on: req.db).filter(\.$state == "open")
            .filter(\.$windowTo >= req.today.description).filter(\.$variety ~~ names)
            .sort(\.$id, .descending).limit(200).all()
        return needs.map { n in (n, offers.filter { $0.variety == n.variety || $0.category == n.variety }) }
    }

    @Sendable static func apiOpen(req: Request) async throws -> [NeedDTO] {
        try await answerable(req).map { NeedDTO($0.0) }
    }

    static func quote(_ input: QuoteInput, need id: Int?, req: Request) async throws -> Quote {
        guard let id, let need = try await answerable(req).first(where: { $0.0.id == id }) else {
            throw APIError.notFound("采购需求")
        }
        guard let offerID = input.offerId, let offer = need.1.first(where: { $0.id == offerID }) else {
            throw FieldError(field: "offerId", code: "unknown_offer", message: "请选择本方能供应该需求的产品")
        }
        let unit = offer.quantityUnit
        guard let price = UnitPrice.parse(input.price ?? ""), price.unit == nil || price.unit == unit else {
            throw FieldError.invalid("price", "报价", "如“3.5元/\(unit)”")
        }
        if let ceiling = need.0.priceCeilingFen, price.fen.value > ceiling {
            throw FieldError(field: "price", code: "above_ceiling", message: "报价高于需求的最高单价\(Fen(ceiling))")
        }
        guard let q = Quantity.parse(input.quantity ?? offer.available.description), q.unit == unit else {
            throw FieldError.invalid("quantity", "可供数量", "如“150\(unit)”")
        }
        guard q.thousandths <= offer.available.thousandths else {
            throw FieldError(field: "quantity", code: "out_of_stock", message: "可供数量超过库存（可售\(offer.available)）")
        }
        let clash = try await Quote.query(on: req.db).filter(\.$needID == id).filter(\.$offerID == offerID).first()
        guard clash == nil else { throw APIError.conflict("offerId", "该产品已对此需求报价") }
        let quote = Quote()
        quote.needID = id; quote.offerID = offerID; quote.unitPriceFen = price.fen.value
        quote.quantityThousandths = q.thousandths; quote.quantityUnit = unit
        quote.note = try FormValue.optionalText(input.note, "note", "说明", max: 200)
        quote.state = "open"
        quote.byName = req.currentUser?.signature ?? ""
        try await req.db.writeTransaction { db in
            try await quote.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "quote", id: quote.id,
                                   region: offer.regionCode, after: QuoteDTO(quote))
        }
        return quote
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let q = try await quote(try req.content.decode(QuoteInput.self), need: req.parameters.get("id", as: Int.self),
                                req: req)
        return try await QuoteDTO(q).encodeResponse(status: .created, for: req)
    }

    /// A need's quotes, for the buyer who posted it, with the sellers as masks.
    static func quotes(for need: Need, on db: any Database) async throws -> [QuoteDTO] {
        let quotes = try await Quote.query(on: db).filter(\.$needID == need.id!).sort(\.$unitPriceFen).all()
        let offers = try await Offer.query(on: db).filter(\.$id ~~ quotes.map(\.offerID)).all()
        let byID = Dictionary(uniqueKeysWithValues: offers.map { ($0.id!, $0) })
        let places = try await RegionNames.places(for: offers.map(\.regionCode), on: db)
        return quotes.map { q in
            var d = QuoteDTO(q)
            let o = byID[q.offerID]
            d.seller = o?.sellerMasked
            d.variety = o?.variety; d.place = o.map { places[$0.regionCode] ?? $0.regionCode }
            return d
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [QuoteDTO] {
        try await quotes(for: try await NeedController.find(req), on: req.db)
    }
}
