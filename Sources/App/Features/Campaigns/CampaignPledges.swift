import BangfuKit
import Fluent
import Vapor

struct InvitationInput: Content { var unitIds: [Int]? }

struct PledgeInput: FormInput {
    static let pickers: [String: Picker] = ["buyerUnitId": .buyerUnit]
    var buyerUnitId: Int?
    @NumberOrText var quantity: String?
    init(form f: [String: String]) { buyerUnitId = f.int("buyerUnitId"); quantity = f.text("quantity") }
}

struct DeliveryInput: FormInput {
    static let pickers: [String: Picker] = ["buyerUnitId": .buyerUnit, "originRegionCode": .anyPlace]
    var buyerUnitId: Int?
    var purchasedOn: String?
    var originRegionCode: String?
    var seller: String?
    @NumberOrText var quantity: String?
    @NumberOrText var amount: String?
    var channel: String?
    var purpose: String?
    /// Why the price is below the campaign's floor (低于保护价的原因); required only then.
    var belowFloorReason: String?

    init(form f: [String: String]) {
        buyerUnitId = f.int("buyerUnitId"); purchasedOn = f.text("purchasedOn")
        originRegionCode = f.text("originRegionCode")
        seller = f.text("seller"); quantity = f.text("quantity"); amount = f.text("amount"); channel = f.text("channel")
        purpose = f.text("purpose"); belowFloorReason = f.text("belowFloorReason")
    }
}

/// Invitations (an office's), pledges (认购, a unit's) and deliveries: a delivery is a ledger row tagged with the
/// campaign, booked and counted as every row is, never below the floor without a stated reason.
enum CampaignPledges {
    static func invite(_ input: InvitationInput, req: Request) async throws -> [ProposalDTO] {
        let c = try await Campaigns.find(req, for: .runCampaigns)
        try refuseIfClosed(c, today: req.today)
        let ids = Array(Set(input.unitIds ?? []))
        guard !ids.isEmpty, ids.count <= 500 else {
            throw FieldError(field: "unitIds", code: "required",
                message: "请选择要邀请的单位（至多500个）")
        }
        let proposals = try await CampaignProposals.rank(c, req: req)
        let byUnit = Dictionary(proposals.map { ($0.unitId, $0) }, uniquingKeysWith: { a, _ in a })
        guard ids.allSatisfy({ byUnit[$0] != nil }) else {
            throw FieldError(field: "unitIds", code: "not_proposed", message: "只能邀请推荐名单中的单位")
        }
        let product = try await c.$product.get(on: req.db)
        let fresh = ids.filter { byUnit[$0]?.invited == false }
        try await req.db.writeTransaction { db in
            for id in fresh {
                guard let p = byUnit[id] else { continue }
                let i = CampaignInvitation()
                i.$campaign.id = c.id!; i.$buyerUnit.id = id; i.rank = p.rank
                i.reasons = p.reasons.joined(separator: "；")
                try await i.create(on: db)
                let floor = PriceQuote.text(c.floorFen, productUnit: product.unit)
                let text = "邀请认购：\(c.title)（\(product.name)，保护价\(floor)，\(c.deadline)前）。"
                    + "推荐理由：\(i.reasons)"
                try await InAppReminders().send(to: "unit:\(id)", text: text, sentBy: req.currentUser?.username ?? "",
                                                on: db)
            }
            try await Audit.record(req, on: db, action: "invite", entity: "campaign", id: c.id,
                                   region: c.originRegionCode,
                                       after: ["units": fresh.map(String.init).joined(separator: ",")])
        }
        return try await CampaignProposals.rank(c, req: req)
    }

    static func refuseIfClosed(_ c: Campaign, today: LocalDate) throws {
        guard c.status == Campaigns.open, c.deadline >= today.description else {
            throw APIError(status: .conflict, code: "closed",
                message: "该活动已结束或已过截止日期", field: nil)
        }
    }

    /// The caller's invited unit: its own, or one of its system's or region's named in `unitId`.
    static func invitation(_ c: Campaign, unitId: Int?, req: Request) async throws -> CampaignInvitation {
        guard let scope = req.scope(for: .pledgeCampaigns) else { throw APIError.forbidden }
        let own: Int? = if case .buyerUnit(let id) = scope { id } else { nil }
        guard let unit = unitId ?? own,
              try await BuyerUnit.query(on: req.db).scoped(by: scope).filter(\.$id == unit).count() == 1,
              let i = try await CampaignInvitation.query(on: req.db).filter(\.$campaign.$id == c.id!)
                .filter(\.$buyerUnit.$id == unit).first()
        else {
            throw FieldError(field: "buyerUnitId", code: "not_invited", message: "该单位未受邀参加本活动")
        }
        return i
    }

    static func pledge(_ input: PledgeInput, req: Request) async throws -> CampaignInvitation {
        let c = try await Campaigns.find(req)
        try refuseIfClosed(c, today: req.today)
        let product = try await c.$product.get(on: req.db)
        let i = try await invitation(c, unitId: input.buyerUnitId, req: req)
        let q = try Campaigns.quantity(input.quantity, unit: product.unit, field: "quantity", label: "认购数量")
        guard q <= c.quantityThousandths else {
            throw FieldError(field: "quantity", code: "over_target",
                message: "认购数量不能超过活动的消纳数量")
        }
        let before = i.pledgedThousandths
        i.pledgedThousandths = q
        i.pledgedAt = Date()
        try await req.db.writeTransaction { db in
            try await i.save(on: db)
            try await Audit.record(req, on: db, action: "pledge", entity: "campaign_invitation", id: i.id,
                                   region: c.originRegionCode, before: before.map { ["quantity": "\($0)"] },
                                   after: ["quantity": "\(q)"])
        }
        return i
    }

    /// Whether `amount` 分 for `quantity` thousandths of the product's unit is below the floor (分 per base unit),
    /// compared exactly: amount × 10⁶ against floor × grams per unit × quantity (a unit counted by the piece weighs
    /// 1000 "grams" of itself).
    static func belowFloor(amount: Int64, quantity: Int64, floorFen: Int64, unit: String) -> Bool {
        let grams = Int128(Weights.gramsPer[unit] ?? 1_000)
        return Int128(amount) * 1_000_000 < Int128(floorFen) * grams * Int128(quantity)
    }

    /// A delivery into the ledger: the campaign's product from its area, priced at or above the floor unless a
    /// reason is given.
    static func deliver(_ input: DeliveryInput, req: Request) async throws -> Purchase {
        let c = try await Campaigns.find(req)
        guard c.status == Campaigns.open else {
            throw APIError(status: .conflict, code: "closed",
                message: "该活动已结束，不再登记交付", field: nil)
        }
        let product = try await c.$product.get(on: req.db)
        let i = try await invitation(c, unitId: input.buyerUnitId, req: req)
        let origin = input.originRegionCode ?? c.originRegionCode
        guard origin.hasPrefix(RegionCode(c.originRegionCode)?.subtreePrefix ?? c.originRegionCode) else {
            throw FieldError(field: "originRegionCode", code: "outside_campaign",
                message: "产地须在活动的产地范围内")
        }
        let quantity = try Campaigns.quantity(input.quantity, unit: product.unit,
            field: "quantity", label: "交付数量")
        guard let amount = input.amount.flatMap(Fen.parse), amount > .zero else {
            throw FieldError(field: "amount", code: "bad_amount", message: "请填写金额（元）")
        }
        let reason = try FormValue.optionalText(input.belowFloorReason, "belowFloorReason", "低于保护价的原因")
        let floor = PriceQuote.text(c.floorFen, productUnit: product.unit)
        if reason == nil,
           belowFloor(amount: amount.value, quantity: quantity, floorFen: c.floorFen, unit: product.unit) {
            throw FieldError(field: "belowFloorReason", code: "below_floor",
                             message: "单价低于保护价\(floor)，须说明原因")
        }
        var row = PurchaseInput(form: [:])
        row.buyerUnitId = i.$buyerUnit.id; row.purchasedOn = input.purchasedOn ?? req.today.description
        row.originRegionCode = origin; row.seller = input.seller; row.variety = product.name
        row.quantity = Quantity(thousandths: quantity, unit: product.unit).description
        row.amount = input.amount; row.channel = input.channel; row.purpose = input.purpose
        row.note = "应急消纳：\(c.title)"
        let p = try await LedgerService.build(row, source: .manual, req: req, on: req.db)
        p.campaignID = c.id
        p.belowFloorReason = reason
        try await LedgerService.insert(p, action: "deliver_campaign", req: req, on: req.db)
        return p
    }
}
