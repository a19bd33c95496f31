import BangfuKit
import Fluent
import SQLKit
import Vapor

struct NeedInput: FormInput {
    static let pickers: [String: Picker] = ["buyerUnitId": .buyerUnit, "deliveryRegionCode": .anyPlace]
    var buyerUnitId: Int?
    var variety: String?
    @NumberOrText var quantity: String?
    @NumberOrText var priceCeiling: String?
    var certifiedOnly: Bool?
    var deliveryRegionCode: String?
    var deliveryAddress: String?
    var from: String?
    var to: String?
    var everyDays: Int?
    /// Wished-for quality marks (QualityMark codes) and what the purchase is for (PurchasePurpose).
    var marks: [String]?
    var purpose: String?

    init(form f: [String: String]) {
        buyerUnitId = f.int("buyerUnitId"); variety = f.text("variety"); quantity = f.text("quantity")
        priceCeiling = f.text("priceCeiling"); certifiedOnly = f["certifiedOnly"].map { $0 == "1" } ?? true
        deliveryRegionCode = f.text("deliveryRegionCode"); deliveryAddress = f.text("deliveryAddress")
        from = f.text("from"); to = f.text("to"); everyDays = f.int("everyDays")
        marks = QualityMark.allCases.map(\.rawValue).filter { f["mark_\($0)"] == "1" }
        purpose = f.text("purpose")
    }
}

struct NeedDTO: Content {
    let id: Int, buyerUnitId: Int, variety: String, quantity: String, priceCeiling: String?, certifiedOnly: Bool
    let deliveryRegionCode: String, deliveryAddress: String, from: String, to: String, everyDays: Int?, state: String
    let marks: [String], purpose: String
    /// A standing need's delivery days (长期供货), or its one day.
    let deliveries: [String]
    init(_ n: Need) {
        id = n.id!; buyerUnitId = n.$buyerUnit.id; variety = n.variety; quantity = n.quantity.description
        priceCeiling = n.priceCeilingFen.map { Fen($0).description }; certifiedOnly = n.certifiedOnly
        deliveryRegionCode = n.deliveryRegionCode; deliveryAddress = n.deliveryAddress
        from = n.windowFrom; to = n.windowTo
        everyDays = n.everyDays; state = n.state
        marks = n.marks.map(\.rawValue).sorted(); purpose = n.purpose
        deliveries = LocalDate(n.windowFrom).flatMap { from in
            LocalDate(n.windowTo).map { StandingNeed.deliveries(from: from, to: $0, every: n.everyDays) }
        }?.map(\.description) ?? []
    }
}

/// Buyers post needs; every need gets the catalogue's offers ranked by `NeedMatching`, with the reasons.
enum NeedController {
    static func post(_ input: NeedInput, req: Request) async throws -> Need {
        let unitID: Int
        if case .buyerUnit(let own) = req.scope { unitID = own } else {
            guard let id = input.buyerUnitId else { throw FieldError.required("buyerUnitId", "采购单位") }
            unitID = id
        }
        let unit = try await BuyerUnit.query(on: req.db).scoped(by: req.scope).filter(\.$id == unitID).first()
        guard let unit else {
            throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "采购单位不存在或不在您的范围内")
        }
        let n = Need()
        n.$buyerUnit.id = unitID; n.buyerRegionCode = unit.regionCode; n.buyerSystemID = unit.$system.id
        n.variety = try FormValue.text(input.variety, "variety", "产品品种", max: 50)
        guard let q = Quantity.parse(input.quantity ?? "") else {
            throw FieldError.invalid("quantity", "需求数量", "如“200斤”")
        }
        n.quantityThousandths = q.thousandths; n.quantityUnit = q.unit
        if let text = input.priceCeiling, !text.isEmpty {
            guard let price = UnitPrice.parse(text), price.unit == nil || price.unit == q.unit else {
                throw FieldError.invalid("priceCeiling", "最高单价", "如“4元/\(q.unit)”")
            }
            n.priceCeilingFen = price.fen.value
        }
        n.certifiedOnly = input.certifiedOnly ?? true
        n.deliveryRegionCode = try await Guard.region(input.deliveryRegionCode, field: "deliveryRegionCode",
                                                      scope: .everything, on: req.db).digits
        n.deliveryAddress = try FormValue.text(input.deliveryAddress, "deliveryAddress", "送货地址", max: 100)
        let from = try FormValue.date(input.from, "from", "送货开始日期"), to = try FormValue.date(input.to, "to", "送货截止日期")
        guard to >= from else { throw FieldError(field: "to", code: "before_start", message: "送货截止日期不能早于开始日期") }
        n.windowFrom = from.description; n.windowTo = to.description
        n.everyDays = try FormValue.optionalCount(input.everyDays, "everyDays", "长期供货间隔天数", max: 92)
        if n.everyDays == 0 { n.everyDays = nil }
        let marks = try (input.marks ?? []).map { code -> QualityMark in
            guard let m = QualityMark(codeOrName: code) else { throw FieldError.invalid("marks", "质量标识") }
            return m
        }
        n.qualityMarks = marks.map(\.rawValue).joined(separator: ",")
        n.purpose = (try FormValue.choice(input.purpose ?? PurchasePurpose.canteen.rawValue, "purpose", "用途")
            as PurchasePurpose).rawValue
        n.state = "open"
        n.postedBy = req.currentUser?.signature ?? ""
        try await req.db.writeTransaction { db in
            try await n.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "need", id: n.id, region: n.buyerRegionCode,
                                   after: NeedDTO(n))
        }
        return n
    }

    static func find(_ req: Request) async throws -> Need {
        guard let id = req.parameters.get("id", as: Int.self),
              let n = try await Need.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first() else {
            throw APIError.notFound("采购需求")
        }
        return n
    }

    struct MatchDTO: Content {
        let offerId: Int, variety: String, seller: String, place: String, price: String, stock: String
        let tier: String, reasons: [String], covers: String
    }
    struct MatchesDTO: Content { let need: NeedDTO; let matches: [MatchDTO]; let split: [[String: String]]? }

    /// How many offers a need's page and the API show, best first.
    static let shown = 50

    /// The need as the matcher sees it, with the buyer's confirmed pairings as its helped places.
    static func matcherNeed(_ n: Need, on db: any Database) async throws -> NeedMatching.Need {
        let helped = try await Pairing.query(on: db).filter(\.$helperUnit.$id == n.$buyerUnit.id)
            .filter(\.$status == Pairing.confirmed).all().compactMap(\.countedPlace)
        return NeedMatching.Need(variety: n.variety, quantity: n.quantity,
            priceCeiling: n.priceCeilingFen.map { Fen($0) },
                                 certifiedOnly: n.certifiedOnly, helpedPlaces: helped, marks: n.marks)
    }

    /// The need's ranked offers: certified, valid, fresh, in stock, read in the rule's order by `NeedCandidates`;
    /// the ledger's recent price of the variety as the market.
    static func matches(_ n: Need, req: Request) async throws -> MatchesDTO {
        let need = try await matcherNeed(n, on: req.db)
        let found = try await NeedCandidates.load(need, today: req.today, limit: shown, on: req.db)
        let market = try await req.application.marketPrices.price(n.variety, unit: n.quantityUnit, today: req.today,
            on: req.db)
        let ranked = NeedMatching.rank(need, found.map(\.offer), market: market)
        let rows = Dictionary(uniqueKeysWithValues: found.map { ($0.row.id, $0.row) })
        let first = ranked.prefix(shown)
        let places = try await RegionNames.places(for: first.compactMap { rows[$0.offerID]?.region_code }, on: req.db)
        let shownMatches = first.compactMap { m -> MatchDTO? in
            guard let r = rows[m.offerID] else { return nil }
            return MatchDTO(offerId: m.offerID, variety: r.variety, seller: r.seller_masked,
                            place: places[r.region_code] ?? r.region_code,
                            price: UnitPrice(fen: Fen(r.price_fen), unit: r.price_unit).description,
                            stock: Quantity(thousandths: r.stock, unit: r.quantity_unit).description,
                            tier: m.tier.chineseName, reasons: m.reasons, covers: m.covers.description)
        }
        let split = NeedMatching.split(need, ranked)?
            .map { ["offerId": String($0.offerID), "quantity": $0.quantity.description] }
        return MatchesDTO(need: NeedDTO(n), matches: shownMatches, split: split)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let need = try await post(try NeedInput.decode(req), req: req)
        return try await NeedDTO(need).encodeResponse(status: .created, for: req)
    }

    @Sendable static func apiIndex(req: Request) async throws -> [NeedDTO] {
        try await Need.query(on: req.db).scoped(by: req.scope).sort(\.$id, .descending).limit(500).all()
            .map(NeedDTO.init)
    }

    @Sendable static func apiMatches(req: Request) async throws -> MatchesDTO {
        try await matches(try await find(req), req: req)
    }
}
