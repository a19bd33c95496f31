import BangfuKit
import Fluent
import Vapor

/// A completed order becomes ledger rows (渠道: this platform; 来源: 本平台订单), one per line taken, in the same
/// transaction as the step that completed it: both are written or neither is.
enum OrderLedger {
    static func write(_ o: Order, lines: [OrderLine], req: Request, on db: any Database) async throws {
        let channel = try await channel(for: o, on: db)
        let taken = lines.filter { ($0.acceptedThousandths ?? 0) > 0 && ($0.acceptedFen ?? 0) > 0 }
        let offers = try await Offer.query(on: db).filter(\.$id ~~ taken.map(\.offerID)).all()
        let byID = Dictionary(uniqueKeysWithValues: offers.map { ($0.id!, $0) })
        var context = try await LedgerContext(req, on: db, scope: .everything)
        try await context.prepare(units: [o.$buyerUnit.id], origins: Set(offers.map(\.regionCode)), on: db)
        for l in taken {
            guard let offer = byID[l.offerID] else { continue }
            let input = try self.input(o, line: l, offer: offer, channel: channel, today: req.today,
                                       cipher: req.fieldCipher)
            var rows = [try context.build(input, source: .order)]
            _ = try await Twins.mark(&rows, on: db)
            let twin = try await sheetTwin(of: &rows[0], on: db)
            let p = Purchase(rows[0])
            try await LedgerService.insert(p, action: "create", req: req, on: db)
            if let twin { try await adopt(twin, into: p, req: req, on: db) }
            l.purchaseID = p.id
            try await l.save(on: db)
        }
        o.ledgerOn = req.today.description
        try await o.save(on: db)
        try await OrderSteps.record("ledger", order: o, note: "入账\(taken.count)行", req: req, on: db)
    }

    static func input(_ o: Order, line l: OrderLine, offer: Offer, channel: Channel, today: LocalDate,
                      cipher: FieldCipher) throws -> PurchaseInput {
        var input = PurchaseInput(form: [:])
        input.buyerUnitId = o.$buyerUnit.id
        input.purchasedOn = o.acceptedOn ?? today.description
        input.originRegionCode = offer.regionCode
        input.supplierId = o.supplierID
        input.seller = try cipher.open(offer.sellerSealed)
        input.householdsTouched = offer.linkedHouseholds
        input.variety = l.variety
        input.quantity = Quantity(thousandths: l.acceptedThousandths ?? 0, unit: l.quantityUnit).description
        input.amount = Fen(l.acceptedFen ?? 0).seedText
        input.purpose = o.purpose
        input.channel = channel.code
        input.orderId = "BF\(o.id!)-\(l.id!)"
        input.note = "本平台订单#\(o.id!)"
        return input
    }

    /// The platform channel the buyer's jurisdiction books its own platform's orders under.
    static func channel(for o: Order, on db: any Database) async throws -> Channel {
        let held = try await ChannelList.load(on: db).effective(for: RegionCode(o.buyerRegionCode))
        let platform = held.filter(\.viaPlatform)
        guard let c = platform.first(where: { $0.code == "cityPlatform" }) ?? platform.first else {
            throw APIError(status: .conflict, code: "no_platform_channel",
                           message: "采购单位所在辖区没有平台渠道，订单无法入账：请管理部门在“渠道”中添加")
        }
        return c
    }

    /// The same purchase already reported by a township or lead unit (附件2/附件3): while that row does not count
    /// yet, the order's row stands and the report becomes its linked duplicate; a counted one keeps its place.
    static func sheetTwin(of row: inout PurchaseRow, on db: any Database) async throws -> Purchase? {
        guard let id = row.duplicateOf, let twin = try await Purchase.find(id, on: db) else { return nil }
        guard !twin.counts, try await !LedgerService.isLocked(twin, on: db) else { return nil }
        row.duplicateOf = nil
        return twin
    }

    static func adopt(_ twin: Purchase, into p: Purchase, req: Request, on db: any Database) async throws {
        let before = PurchaseDTO(twin)
        try await Rollups.add(twin, sign: -1, on: db)
        twin.duplicateOf = p.id
        twin.suspectedDuplicateOf = nil
        try await twin.save(on: db)
        try await Rollups.add(twin, sign: 1, on: db)
        try await Audit.record(req, on: db, action: "link_duplicate", entity: "purchase", id: twin.id,
                               region: twin.originRegionCode, before: before, after: PurchaseDTO(twin))
        try await Linking.absorb(into: p.id, from: twin, origin: .request(req), on: db)
    }
}
