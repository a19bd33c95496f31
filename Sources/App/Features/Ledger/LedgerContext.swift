import BangfuKit
import Fluent
import Vapor

/// What checking and booking a ledger row needs — the caller, units, places, channels, closed months —
/// loaded once for a form entry or once per chunk of an import, so both go through one `build`.
struct LedgerContext: Sendable {
    let scope: Scope
    let today: LocalDate
    let reporter: String
    let cipher: FieldCipher
    /// The buyers rows may name: what a row copies of its unit, held as plain values (the ORM's property
    /// wrappers were a tenth of an import's checking).
    var units: [Int: Buyer] = [:]
    var regions: Set<String> = []
    var deepPoverty: Set<String> = []
    var channels = ChannelList(rows: [])
    var closures: [ClosedPeriod] = []

    /// `scope`: whose units rows may name, when not the caller's own (an order's rows, already checked).
    init(_ req: Request, on db: any Database, scope: Scope? = nil) async throws {
        try await self.init(Caller(req), on: db, scope: scope)
    }

    init(_ caller: Caller, on db: any Database, scope: Scope? = nil) async throws {
        self.scope = scope ?? caller.scope
        today = caller.today
        cipher = caller.cipher
        reporter = caller.user?.signature ?? ""
        channels = try await ChannelList.load(on: db)
        closures = try await ClosedPeriod.query(on: db).all()
    }

    /// The same context holding units the caller has already loaded and checked: an import names its rows'
    /// buyers from them, and 附件2 may name buyers anywhere (a township sells to any unit).
    func knowing(_ loaded: [BuyerUnit]) -> LedgerContext {
        var c = self
        for u in loaded { c.units[u.id!] = Buyer(u) }
        return c
    }

    /// Loads the units and places a batch of rows names (one query each, whatever the batch's size).
    mutating func prepare(units ids: Set<Int>, origins: Set<String>, on db: any Database) async throws {
        let wanted = ids.subtracting(units.keys)
        if !wanted.isEmpty {
            for u in try await BuyerUnit.query(on: db).scoped(by: scope).filter(\.$id ~~ wanted).all() { units[u.id!] = Buyer(u) }
        }
        let chains = Set(origins.compactMap(RegionCode.init).flatMap { c in
            [c.digits] + [RegionCode.Level.county, .township].compactMap { c.ancestor(at: $0)?.digits }
        }).subtracting(regions)
        if !chains.isEmpty {
            for r in try await Region.query(on: db).filter(\.$id ~~ chains).all() {
                regions.insert(r.id!)
                if r.isDeepPoverty { deepPoverty.insert(r.id!) }
            }
        }
    }

    /// A row is booked in its own month unless that month is closed; then in today's (still open) month.
    func bookingDay(_ day: LocalDate, places: [String]) throws -> String {
        guard closures.close(day.monthKey, touching: places) else { return day.description }
        guard !closures.close(today.monthKey, touching: places) else {
            throw APIError(status: .conflict, code: "period_locked", message: "本月（\(today.monthKey)）已关账，不能入账", field: "purchasedOn")
        }
        return today.description
    }

    /// Checks every field and books the row; duplicate checks are the caller's (they need the ledger).
    func build(_ input: PurchaseInput, source: PurchaseSource) throws -> PurchaseRow {
        let unitID: Int
        switch scope {
        case .buyerUnit(let own):
            guard input.buyerUnitId == nil || input.buyerUnitId == own else {
                throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "只能填报本单位的采购")
            }
            unitID = own
        default:
            guard let id = input.buyerUnitId else { throw FieldError.required("buyerUnitId", "采购单位") }
            unitID = id
        }
        guard let unit = units[unitID] else {
            throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "采购单位不存在或不在您的范围内")
        }
        var p = PurchaseRow()
        p.buyerUnitID = unitID; p.buyerRegionCode = unit.region; p.buyerSystemID = unit.system
        let day = try FormValue.date(input.purchasedOn, "purchasedOn", "采购日期")
        guard day <= today else { throw FieldError(field: "purchasedOn", code: "future", message: "采购日期不能晚于今天") }
        p.purchasedOn = day.description
        let origin = try FormValue.region(input.originRegionCode, "originRegionCode")
        guard regions.contains(origin.digits) else {
            throw FieldError(field: "originRegionCode", code: "unknown_region", message: "区划代码 \(origin) 不存在")
        }
        p.originRegionCode = origin.digits
        p.fromDeepPoverty = ([origin.digits] + [RegionCode.Level.county, .township].compactMap { origin.ancestor(at: $0)?.digits })
            .contains(where: deepPoverty.contains)
        p.bookedOn = try bookingDay(day, places: [p.buyerRegionCode, p.originRegionCode])
        p.supplierID = input.supplierId
        let seller = try FormValue.text(input.seller, "seller", "贫困户（合作社）", max: 50)
        p.sellerMasked = SellerName.namesOrganisation(seller) ? seller : Mask.name(seller)
        p.sellerKey = cipher.lookupHash("\(p.originRegionCode)|\(seller)")
        p.householdsTouched = try FormValue.optionalCount(input.householdsTouched, "householdsTouched", "带动户数",
                                                          max: 100_000)
        p.note = try FormValue.optionalText(input.note, "note", "备注", max: 200).map(Mask.numbers(in:))
        p.variety = try FormValue.text(input.variety, "variety", "产品品种", max: 50)
        guard let q = Quantity.parse(input.quantity ?? "") else { throw FieldError.invalid("quantity", "采购数量", "如“30斤”") }
        p.quantityThousandths = q.thousandths; p.quantityUnit = q.unit
        guard let amount = Fen.parse(input.amount ?? ""), amount > .zero else { throw FieldError.invalid("amount", "采购金额", "如“90元”") }
        p.amountFen = amount.value
        p.purpose = (try FormValue.choice(input.purpose, "purpose", "用途") as PurchasePurpose).rawValue
        guard let channel = channels.channel(input.channel ?? "", for: unit.region) else {
            throw FieldError(field: "channel", code: "unknown_channel",
                             message: "渠道“\(input.channel ?? "")”不在采购单位所在辖区的渠道中")
        }
        p.channelCode = channel.code; p.viaPlatform = channel.viaPlatform
        p.source = source.rawValue
        p.reporter = reporter
        p.state = VerificationState.pending.rawValue
        if source != .correction { p.sourceRef = try FormValue.optionalText(input.orderId, "orderId", "平台订单号", max: 64) }
        return p
    }
}

extension LedgerContext {
    struct Buyer: Sendable {
        let region: String, system: Int?
        init(_ u: BuyerUnit) { region = u.regionCode; system = u.$system.id }
    }
}
