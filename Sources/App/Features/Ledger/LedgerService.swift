import BangfuKit
import Fluent
import Vapor

struct PurchaseInput: FormInput {
    static let pickers: [String: Picker] = ["buyerUnitId": .buyerUnit, "originRegionCode": .anyPlace]
    var buyerUnitId: Int?
    var purchasedOn: String?
    var originRegionCode: String?
    var supplierId: Int?
    var seller: String?
    var householdsTouched: Int?
    var variety: String?
    @NumberOrText var quantity: String?
    @NumberOrText var amount: String?
    var purpose: String?
    var channel: String?
    var orderId: String?
    /// 备注 as the report wrote it ("合作社，带动贫困户12户").
    var note: String?
    /// Why a row is corrected (更正原因); only corrections read it.
    var reason: String?

    init(form f: [String: String]) {
        buyerUnitId = f.int("buyerUnitId"); purchasedOn = f.text("purchasedOn"); originRegionCode = f.text("originRegionCode")
        supplierId = f.int("supplierId"); seller = f.text("seller"); householdsTouched = f.int("householdsTouched")
        variety = f.text("variety"); quantity = f.text("quantity"); amount = f.text("amount"); purpose = f.text("purpose")
        channel = f.text("channel"); orderId = f.text("orderId"); reason = f.text("reason")
        note = f.text("note")
    }
}

struct PurchaseDTO: Content {
    let id: Int, buyerUnitId: Int, purchasedOn: String, originRegionCode: String, seller: String, variety: String
    let quantity: String, amountFen: Int64, amount: String, purpose: String, purposeName: String, channel: String, source: String
    let orderId: String?, state: String, stateName: String, reason: String?, counts: Bool, awaitsCheck: Bool
    let suspectedDuplicateOf: Int?, duplicateOf: Int?, reversesId: Int?, replacesId: Int?
    let householdsTouched: Int?, note: String?, proofWaiver: String?
    /// Facts taken from a linked duplicate: fact (purpose, householdsTouched) → the row it came from.
    let provenance: [String: Int]
    /// How the row stands to others, in words: 与#3重复, 冲正#5, 更正#5.
    let relation: String
    var buyerUnitName: String? = nil, channelName: String? = nil, originName: String? = nil
    var proofs: [AttachmentDTO] = []
    /// The platform order a row came from (产品追溯), read from its reference "BF<order>-<line>".
    let fromOrder: Int?

    init(_ p: Purchase) {
        id = p.id!; buyerUnitId = p.$buyerUnit.id; purchasedOn = p.purchasedOn; originRegionCode = p.originRegionCode
        seller = p.sellerMasked; variety = p.variety; quantity = Quantity(thousandths: p.quantityThousandths, unit: p.quantityUnit).description
        amountFen = p.amountFen; amount = Fen(p.amountFen).description; purpose = p.purpose
        purposeName = PurchasePurpose(rawValue: p.purpose)?.chineseName ?? p.purpose; channel = p.channelCode
        source = p.source; orderId = p.sourceRef; state = p.state
        stateName = VerificationState(rawValue: p.state).map { LedgerCounting.stateName(viaPlatform: p.viaPlatform, state: $0) } ?? p.state
        reason = p.reason; counts = p.counts
        awaitsCheck = p.awaitsCheck
        suspectedDuplicateOf = p.suspectedDuplicateOf; duplicateOf = p.duplicateOf; reversesId = p.reversesID; replacesId = p.replacesID
        householdsTouched = p.householdsTouched; note = p.note; proofWaiver = p.proofWaiver; provenance = p.provenance
        let links: [String?] = [p.duplicateOf.map { "与#\($0)重复" }, p.suspectedDuplicateOf.map { "疑似与#\($0)重复" },
                                p.reversesID.map { "冲正#\($0)" }, p.replacesID.map { "更正#\($0)" }]
        let taken: [String?] = LinkedReports.Fact.allCases.map { f in
            p.provenance[f.rawValue].map { "\(f.chineseName)取自#\($0)" }
        }
        relation = (links + taken).compactMap { $0 }.joined(separator: "，")
        fromOrder = p.source == PurchaseSource.order.rawValue
            ? p.sourceRef.flatMap { Int($0.dropFirst(2).prefix { $0 != "-" }) } : nil
    }
}

/// Ledger writes: each in one transaction with its rollup change and audit line.
enum LedgerService {
    static func record(_ input: PurchaseInput, source: PurchaseSource, req: Request, on db: (any Database)? = nil) async throws -> Purchase {
        let db = db ?? req.db
        let p = try await build(input, source: source, req: req, on: db)
        try await insert(p, action: "create", req: req, on: db)
        return p
    }

    /// A validated, booked, duplicate-checked row, not yet written.
    static func build(_ input: PurchaseInput, source: PurchaseSource, req: Request, on db: any Database) async throws -> Purchase {
        if let id = input.supplierId, try await Supplier.find(id, on: db) == nil {
            throw FieldError(field: "supplierId", code: "unknown_supplier", message: "供给主体不存在")
        }
        var context = try await LedgerContext(req, on: db)
        let own: Int? = if case .buyerUnit(let id) = req.scope { id } else { nil }
        try await context.prepare(units: Set([input.buyerUnitId ?? own].compactMap { $0 }), origins: Set([input.originRegionCode].compactMap { $0 }), on: db)
        var rows = [try context.build(input, source: source)]
        guard source != .correction else { return Purchase(rows[0]) }    // a correction replaces a row on purpose: not a duplicate
        if let ref = rows[0].sourceRef, try await Purchase.query(on: db).filter(\.$source == rows[0].source).filter(\.$sourceRef == ref).count() > 0 {
            throw APIError.conflict("orderId", "平台订单 \(ref) 已入账，不能重复计入")
        }
        _ = try await Twins.mark(&rows, on: db)
        return Purchase(rows[0])
    }

    static func insert(_ p: Purchase, action: String, req: Request, on db: any Database) async throws {
        try await db.writeTransaction { db in
            try await UncertifiedRule.apply(to: p, on: db)
            try await p.create(on: db)
            try await Rollups.add(p, sign: 1, on: db)
            try await Audit.record(req, on: db, action: action, entity: "purchase", id: p.id, region: p.originRegionCode, after: PurchaseDTO(p))
            if p.reversesID == nil {
                try await Linking.absorb(into: p.duplicateOf, from: p, origin: .request(req), on: db)
            }
        }
    }

    static func find(_ req: Request) async throws -> Purchase {
        guard let id = req.parameters.get("id", as: Int.self),
              let p = try await Purchase.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("采购记录") }
        return p
    }

    /// Changes a row and moves its amount between rollup buckets, in one transaction (with `then`, if given).
    static func change(_ p: Purchase, action: String, req: Request,
                       then: (@Sendable (any Database) async throws -> Void)? = nil,
                       _ mutate: @escaping @Sendable (Purchase) -> Void) async throws {
        try await refuseIfLocked(p, req: req)
        let before = PurchaseDTO(p)
        try await req.db.writeTransaction { db in
            try await Rollups.add(p, sign: -1, on: db)
            mutate(p)
            try await p.save(on: db)
            try await Rollups.add(p, sign: 1, on: db)
            try await Audit.record(req, on: db, action: action, entity: "purchase", id: p.id, region: p.originRegionCode,
                                   before: before, after: PurchaseDTO(p))
            try await then?(db)
        }
    }

    struct VerifyInput: Content { var approve: Bool?; var reason: String? }

    /// An office checks the proof of an off-platform row: verified rows count, rejected ones keep the reason.
    static func verify(_ input: VerifyInput, req: Request) async throws -> Purchase {
        let p = try await find(req)
        guard p.reversesID == nil else {
            throw APIError(status: .conflict, code: "reversal", message: "冲正记录随原记录计入，不单独核实", field: "approve")
        }
        guard !p.viaPlatform else {
            throw APIError(status: .conflict, code: "via_platform", message: "平台上报的采购按上报计入，无需核实", field: "approve")
        }
        guard p.state == VerificationState.pending.rawValue else {
            throw APIError(status: .conflict, code: "not_pending", message: "该记录已核实过", field: "approve")
        }
        if let counted = p.duplicateOf {
            throw APIError(status: .conflict, code: "linked_duplicate",
                           message: "该记录已作为#\(counted)的重复记录关联，随#\(counted)核实，不单独核实", field: "approve")
        }
        let approve = input.approve ?? false
        let reason = try FormValue.optionalText(input.reason, "reason", "理由", max: 200) ?? ""
        if !approve && reason.isEmpty { throw FieldError.required("reason", "不通过的理由") }
        let waiver = approve ? try await proofWaiver(for: p, reason: reason, req: req) : nil
        let rejected = p.id.map { [$0] } ?? []
        try await change(p, action: approve ? "verify" : "reject", req: req, then: { db in
            if !approve { try await PurchaseOutcome.markStale(rejected, on: db) }
        }) {
            $0.state = (approve ? VerificationState.verified : .rejected).rawValue
            $0.reason = approve ? nil : reason
            $0.proofWaiver = waiver
        }
        return p
    }

    /// Seed 000: off-platform purchases count with 证明材料. Without a proof file the office states why (the
    /// returned waiver), or, where its jurisdiction makes proof mandatory, cannot verify at all.
    static func proofWaiver(for p: Purchase, reason: String, req: Request) async throws -> String? {
        let proofs = try await Linking.proofs(of: p.id!, on: req.db).count
        guard proofs == 0 else { return nil }
        if try await LedgerSettings.values(for: RegionCode(p.buyerRegionCode)!, on: req.db).proofMandatory {
            throw APIError(status: .conflict, code: "proof_required", message: "本辖区规定须有证明材料才能核实：请先上传证明",
                           field: "approve")
        }
        guard !reason.isEmpty else {
            throw FieldError(field: "reason", code: "proof_missing", message: "该记录没有证明材料：请先上传证明，或写明无证明仍予核实的理由")
        }
        return reason
    }

    struct DuplicateInput: Content { var of: Int? }

    /// Confirms a row as the duplicate of another (it stops counting), or clears the suspicion.
    static func settleDuplicate(_ input: DuplicateInput, req: Request) async throws -> Purchase {
        let p = try await find(req)
        if let other = input.of {
            guard other != p.id, let row = try await Purchase.query(on: req.db).scoped(by: req.scope)
                .filter(\.$id == other).first() else {
                throw FieldError.invalid("of", "重复的记录编号")
            }
            guard row.duplicateOf == nil, row.reversesID == nil else {
                throw FieldError(field: "of", code: "not_counted_row", message: "#\(other)本身是重复或冲正记录：请关联到计入的那一笔")
            }
        }
        let origin = Audit.Origin.request(req)
        try await change(p, action: input.of == nil ? "separate" : "link_duplicate", req: req, then: { db in
            try await Linking.absorb(into: input.of, from: p, origin: origin, on: db)
        }) {
            $0.duplicateOf = input.of
            $0.suspectedDuplicateOf = nil
        }
        return p
    }

    /// 冲正更正: a reversing entry cancels the row as it was counted, and a new entry states it as it should be.
    /// The original is never edited; both new rows are booked in open periods and audited.
    static func correct(_ input: PurchaseInput, req: Request) async throws -> (reversal: Purchase, replacement: Purchase) {
        let original = try await find(req)
        let reason = try FormValue.text(input.reason, "reason", "更正原因", max: 200)
        guard original.reversesID == nil,
              try await Purchase.query(on: req.db).filter(\.$reversesID == original.id).count() == 0 else {
            throw APIError(status: .conflict, code: "already_reversed", message: "该记录已冲正或本身是冲正记录", field: nil)
        }
        var changed = input
        changed.buyerUnitId = original.$buyerUnit.id
        let replacement = try await build(changed, source: .correction, req: req, on: req.db)
        replacement.replacesID = original.id
        let reversal = try await reversing(original, reason: reason, req: req)
        try await req.db.writeTransaction { db in
            try await insert(reversal, action: "reverse", req: req, on: db)
            try await insert(replacement, action: "correct", req: req, on: db)
            for proof in try await Attachment.query(on: db).filter(\.$entity == "purchase").filter(\.$entityID == original.id!).all() {
                try await proof.copy(to: replacement.id!).create(on: db)
            }
        }
        return (reversal, replacement)
    }

    /// The exact negative of a row, counted exactly when the original is.
    static func reversing(_ o: Purchase, reason: String, req: Request) async throws -> Purchase {
        let r = Purchase()
        r.$buyerUnit.id = o.$buyerUnit.id; r.buyerRegionCode = o.buyerRegionCode; r.buyerSystemID = o.buyerSystemID
        r.purchasedOn = o.purchasedOn; r.originRegionCode = o.originRegionCode; r.fromDeepPoverty = o.fromDeepPoverty
        r.bookedOn = try await LedgerContext(req, on: req.db).bookingDay(LocalDate(o.bookedOn)!, places: [o.buyerRegionCode, o.originRegionCode])
        r.$supplier.id = o.$supplier.id; r.sellerMasked = o.sellerMasked; r.sellerKey = o.sellerKey
        r.householdsTouched = o.householdsTouched; r.variety = o.variety
        r.quantityThousandths = -o.quantityThousandths; r.quantityUnit = o.quantityUnit; r.amountFen = -o.amountFen
        r.purpose = o.purpose; r.channelCode = o.channelCode; r.viaPlatform = o.viaPlatform
        r.source = PurchaseSource.correction.rawValue; r.reporter = req.currentUser?.signature ?? ""
        r.state = o.state; r.duplicateOf = o.duplicateOf; r.reversesID = o.id; r.reason = reason
        return r
    }

    static func refuseIfLocked(_ p: Purchase, req: Request) async throws {
        if try await isLocked(p, on: req.db) {
            let month = String(p.bookedOn.prefix(7))
            throw APIError(status: .conflict, code: "period_locked", message: "该记录所在期间（\(month)）已关账，只能冲正更正", field: nil)
        }
    }

    /// A closed period never changes: a row booked in one is only reversed and corrected.
    static func isLocked(_ p: Purchase, on db: any Database) async throws -> Bool {
        let month = String(p.bookedOn.prefix(7))
        return try await ClosedPeriod.query(on: db).filter(\.$month == month).all()
            .close(month, touching: [p.buyerRegionCode, p.originRegionCode])
    }
}
