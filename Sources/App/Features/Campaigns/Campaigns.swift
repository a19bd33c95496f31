import BangfuKit
import Fluent
import Vapor

struct CampaignInput: FormInput {
    static let pickers: [String: Picker] = ["originRegionCode": .place]
    var productId: Int?
    var warningId: Int?
    var title: String?
    var originRegionCode: String?
    /// In the product's unit ("50000" 斤).
    @NumberOrText var quantity: String?
    /// 元 per the product's unit ("1.0" 元/斤).
    @NumberOrText var floorPrice: String?
    var deadline: String?

    init(form f: [String: String]) {
        productId = f.int("productId"); warningId = f.int("warningId"); title = f.text("title")
        originRegionCode = f.text("originRegionCode"); quantity = f.text("quantity"); floorPrice = f.text("floorPrice")
        deadline = f.text("deadline")
    }
}

/// Opening and closing emergency 消纳 campaigns, and reading one as its page and report show it.
enum Campaigns {
    static let open = "open", closed = "closed"

    static func create(_ input: CampaignInput, req: Request) async throws -> Campaign {
        let j = try PeriodController.jurisdiction(req, for: .runCampaigns)
        let product = try await MonitoredProducts.find(input.productId, req, action: .runCampaigns)
        let origin = try await Guard.region(input.originRegionCode, field: "originRegionCode", scope: .region(j),
                                            on: req.db)
        let quantity = try quantity(input.quantity, unit: product.unit, field: "quantity", label: "消纳数量")
        let floorText = try FormValue.text(input.floorPrice, "floorPrice", "保护价", max: 20)
        let floor = try PriceQuote.normalise(floorText, unit: product.unit, productUnit: product.unit,
                                             field: "floorPrice").get()
        guard let deadline = input.deadline.flatMap(LocalDate.init), deadline >= req.today,
              deadline <= req.today.adding(days: 366) else {
            throw FieldError(field: "deadline", code: "bad_deadline",
                message: "截止日期须在今天至一年之内")
        }
        if let w = input.warningId {
            let warning = try? await PriceWarnings.find(w, req: req, action: .runCampaigns)
            guard let warning, warning.$product.id == product.id else {
                throw FieldError(field: "warningId", code: "unknown_warning",
                    message: "预警不存在或不是该品种的")
            }
        }
        let places = try await RegionNames.places(for: [origin.digits], on: req.db)
        let c = Campaign()
        c.jurisdictionCode = j.digits; c.$product.id = product.id!; c.warningID = input.warningId
        c.title = try FormValue.optionalText(input.title, "title", "活动名称", max: 60)
            ?? "\(places[origin.digits] ?? "")\(product.name)应急消纳"
        c.originRegionCode = origin.digits; c.quantityThousandths = quantity; c.floorFen = floor
        c.deadline = deadline.description; c.status = open
        try await req.db.writeTransaction { db in
            try await c.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "campaign", id: c.id,
                                   region: c.originRegionCode,
                                       after: ["title": c.title, "quantity": "\(quantity)", "floorFen": "\(floor)"])
        }
        return c
    }

    /// A positive quantity in the product's unit, in thousandths ("50000", "2.5").
    static func quantity(_ text: String?, unit: String, field: String, label: String) throws -> Int64 {
        let t = try FormValue.text(text, field, label, max: 20)
        guard let q = Quantity.parse(t + unit), q.unit == unit, q.thousandths > 0,
              q.thousandths <= 1_000_000_000_000_000 else {
            throw FieldError(field: field, code: "bad_quantity",
                message: "\(label)“\(t)”须为正数（单位：\(unit)）")
        }
        return q.thousandths
    }

    /// The campaign if the caller may see it: the office's own, or one its unit or system is invited to.
    static func find(_ req: Request, for action: Action = .viewCampaigns) async throws -> Campaign {
        guard let id = req.parameters.get("id", as: Int.self), let c = try await Campaign.find(id, on: req.db),
              let scope = req.scope(for: action) else { throw APIError.notFound("消纳活动") }
        switch scope {
        case .everything: return c
        case .region(let r) where c.jurisdictionCode.hasPrefix(r.subtreePrefix):
            return c
        case .buyerUnit, .system:
            let units = try await CampaignInvitation.query(on: req.db).filter(\.$campaign.$id == id).all()
                .map(\.$buyerUnit.id)
            guard try await BuyerUnit.query(on: req.db).scoped(by: scope).filter(\.$id ~~ units).count() > 0
            else { throw APIError.notFound("消纳活动") }
            return c
        default: throw APIError.notFound("消纳活动")
        }
    }

    static func list(_ req: Request) async throws -> [Campaign] {
        guard let scope = req.scope(for: .viewCampaigns) else { return [] }
        let q = Campaign.query(on: req.db).sort(\.$id, .descending)
        switch scope {
        case .everything: break
        case .region(let r): q.filter(\.$jurisdictionCode =~ r.subtreePrefix)
        default:
            let units = try await BuyerUnit.query(on: req.db).scoped(by: scope).all().compactMap(\.id)
            let invited = try await CampaignInvitation.query(on: req.db).filter(\.$buyerUnit.$id ~~ units).all()
            q.filter(\.$id ~~ invited.map(\.$campaign.id))
        }
        return try await q.limit(200).all()
    }

    static func close(_ req: Request) async throws -> Campaign {
        let c = try await find(req, for: .runCampaigns)
        guard c.status == open else {
            throw APIError(status: .conflict, code: "closed", message: "该活动已结束", field: nil)
        }
        c.status = closed
        try await req.db.writeTransaction { db in
            try await c.save(on: db)
            try await Audit.record(req, on: db, action: "close", entity: "campaign", id: c.id,
                                   region: c.originRegionCode)
        }
        return c
    }
}
