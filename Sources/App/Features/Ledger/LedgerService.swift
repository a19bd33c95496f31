import BangfuKit
import Fluent
import Vapor

struct PurchaseInput: FormInput {
    var buyerUnitId: Int?
    var purchasedOn: String?
    var originRegionCode: String?
    var supplierId: Int?
    var seller: String?
    var householdsTouched: Int?
    var variety: String?
    var quantity: String?
    var amount: String?
    var purpose: String?
    var channel: String?
    var orderId: String?

    init(form f: [String: String]) {
        buyerUnitId = f.int("buyerUnitId"); purchasedOn = f.text("purchasedOn"); originRegionCode = f.text("originRegionCode")
        supplierId = f.int("supplierId"); seller = f.text("seller"); householdsTouched = f.int("householdsTouched")
        variety = f.text("variety"); quantity = f.text("quantity"); amount = f.text("amount"); purpose = f.text("purpose")
        channel = f.text("channel"); orderId = f.text("orderId")
    }
}

struct PurchaseDTO: Content {
    let id: Int, buyerUnitId: Int, purchasedOn: String, originRegionCode: String, seller: String, variety: String
    let quantity: String, amountFen: Int64, amount: String, purpose: String, purposeName: String, channel: String, source: String
    let orderId: String?, state: String, stateName: String, reason: String?, counts: Bool
    let suspectedDuplicateOf: Int?, duplicateOf: Int?
    var proofs: [AttachmentDTO] = []

    init(_ p: Purchase) {
        id = p.id!; buyerUnitId = p.$buyerUnit.id; purchasedOn = p.purchasedOn; originRegionCode = p.originRegionCode
        seller = p.sellerMasked; variety = p.variety; quantity = Quantity(thousandths: p.quantityThousandths, unit: p.quantityUnit).description
        amountFen = p.amountFen; amount = Fen(p.amountFen).description; purpose = p.purpose
        purposeName = PurchasePurpose(rawValue: p.purpose)?.chineseName ?? p.purpose; channel = p.channelCode
        source = p.source; orderId = p.sourceRef; state = p.state
        stateName = VerificationState(rawValue: p.state)?.chineseName ?? p.state; reason = p.reason; counts = p.counts
        suspectedDuplicateOf = p.suspectedDuplicateOf; duplicateOf = p.duplicateOf
    }
}

/// Ledger writes: each in one transaction with its rollup change and audit line.
enum LedgerService {
    static func record(_ input: PurchaseInput, source: PurchaseSource, req: Request, on db: (any Database)? = nil) async throws -> Purchase {
        let db = db ?? req.db
        let unitID: Int
        switch req.scope {
        case .buyerUnit(let own):
            guard input.buyerUnitId == nil || input.buyerUnitId == own else {
                throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "只能填报本单位的采购")
            }
            unitID = own
        default:
            guard let id = input.buyerUnitId else { throw FieldError.required("buyerUnitId", "采购单位") }
            unitID = id
        }
        guard let unit = try await BuyerUnit.query(on: db).scoped(by: req.scope).filter(\.$id == unitID).first() else {
            throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "采购单位不存在或不在您的范围内")
        }
        let p = Purchase()
        p.$buyerUnit.id = unitID; p.buyerRegionCode = unit.regionCode; p.buyerSystemID = unit.$system.id
        let day = try FormValue.date(input.purchasedOn, "purchasedOn", "采购日期")
        guard day <= req.today else { throw FieldError(field: "purchasedOn", code: "future", message: "采购日期不能晚于今天") }
        p.purchasedOn = day.description
        p.originRegionCode = try await Guard.region(input.originRegionCode, field: "originRegionCode", scope: .everything, on: db).digits
        p.$supplier.id = input.supplierId
        let seller = try FormValue.text(input.seller, "seller", "贫困户（合作社）", max: 50)
        p.sellerMasked = Mask.name(seller)
        p.sellerKey = req.fieldCipher.lookupHash("\(p.originRegionCode)|\(seller)")
        p.householdsTouched = input.householdsTouched
        p.variety = try FormValue.text(input.variety, "variety", "产品品种", max: 50)
        guard let q = Quantity.parse(input.quantity ?? "") else { throw FieldError.invalid("quantity", "采购数量", "如“30斤”") }
        p.quantityThousandths = q.thousandths; p.quantityUnit = q.unit
        guard let amount = Fen.parse(input.amount ?? ""), amount > .zero else { throw FieldError.invalid("amount", "采购金额", "如“90元”") }
        p.amountFen = amount.value
        p.purpose = (try FormValue.choice(input.purpose, "purpose", "用途") as PurchasePurpose).rawValue
        guard let channel = try await Channel.query(on: db).filter(\.$code == (input.channel ?? "")).first() else {
            throw FieldError.invalid("channel", "渠道")
        }
        p.channelCode = channel.code; p.viaPlatform = channel.viaPlatform
        p.source = source.rawValue
        p.sourceRef = try FormValue.optionalText(input.orderId, "orderId", "平台订单号", max: 64)
        if let ref = p.sourceRef, try await Purchase.query(on: db).filter(\.$source == p.source).filter(\.$sourceRef == ref).count() > 0 {
            throw APIError.conflict("orderId", "平台订单 \(ref) 已入账，不能重复计入")
        }
        p.reporter = req.currentUser.map { "\($0.displayName)(\($0.username))" } ?? ""
        p.state = VerificationState.pending.rawValue
        p.suspectedDuplicateOf = try await likelyDuplicate(of: p, on: db)
        try await db.transaction { db in
            try await p.create(on: db)
            try await Rollups.add(p, sign: 1, on: db)
            try await Audit.record(req, on: db, action: "create", entity: "purchase", id: p.id, region: p.originRegionCode,
                                   after: PurchaseDTO(p))
        }
        return p
    }

    /// The earliest row of the same buyer, seller, product and amount within three days, if any.
    static func likelyDuplicate(of p: Purchase, on db: any Database) async throws -> Int? {
        guard let day = LocalDate(p.purchasedOn) else { return nil }
        let candidates = try await Purchase.query(on: db).filter(\.$buyerUnit.$id == p.$buyerUnit.id)
            .filter(\.$sellerKey == p.sellerKey).filter(\.$amountFen == p.amountFen).filter(\.$variety == p.variety)
            .filter(\.$purchasedOn >= day.adding(days: -3).description).filter(\.$purchasedOn <= day.adding(days: 3).description)
            .filter(\.$duplicateOf == nil).sort(\.$id).first()
        return candidates?.id
    }

    static func find(_ req: Request) async throws -> Purchase {
        guard let id = req.parameters.get("id", as: Int.self),
              let p = try await Purchase.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("采购记录") }
        return p
    }

    /// Changes a row and moves its amount between rollup buckets, in one transaction.
    static func change(_ p: Purchase, action: String, req: Request, _ mutate: @escaping @Sendable (Purchase) -> Void) async throws {
        let before = PurchaseDTO(p)
        try await req.db.transaction { db in
            try await Rollups.add(p, sign: -1, on: db)
            mutate(p)
            try await p.save(on: db)
            try await Rollups.add(p, sign: 1, on: db)
            try await Audit.record(req, on: db, action: action, entity: "purchase", id: p.id, region: p.originRegionCode,
                                   before: before, after: PurchaseDTO(p))
        }
    }

    struct VerifyInput: Content { var approve: Bool?; var reason: String? }

    /// An office checks the proof of an off-platform row: verified rows count, rejected ones keep the reason.
    static func verify(_ input: VerifyInput, req: Request) async throws -> Purchase {
        let p = try await find(req)
        guard p.state == VerificationState.pending.rawValue else {
            throw APIError(status: .conflict, code: "not_pending", message: "该记录已核实过", field: "approve")
        }
        let approve = input.approve ?? false
        let reason = input.reason?.trimmingCharacters(in: .whitespaces) ?? ""
        if !approve && reason.isEmpty { throw FieldError.required("reason", "不通过的理由") }
        try await change(p, action: approve ? "verify" : "reject", req: req) {
            $0.state = (approve ? VerificationState.verified : .rejected).rawValue
            $0.reason = approve ? nil : reason
        }
        return p
    }

    struct DuplicateInput: Content { var of: Int? }

    /// Confirms a row as the duplicate of another (it stops counting), or clears the suspicion.
    static func settleDuplicate(_ input: DuplicateInput, req: Request) async throws -> Purchase {
        let p = try await find(req)
        if let other = input.of {
            guard other != p.id, try await Purchase.query(on: req.db).scoped(by: req.scope).filter(\.$id == other).first() != nil else {
                throw FieldError.invalid("of", "重复的记录编号")
            }
        }
        try await change(p, action: input.of == nil ? "separate" : "link_duplicate", req: req) {
            $0.duplicateOf = input.of
            $0.suspectedDuplicateOf = nil
        }
        return p
    }
}
