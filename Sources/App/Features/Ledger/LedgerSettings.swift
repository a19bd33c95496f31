import BangfuKit
import Fluent
import Vapor

/// A jurisdiction's ledger rules; places without a row of their own take the nearest one above.
final class LedgerSettings: Model, @unchecked Sendable {
    static let schema = "ledger_settings"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    /// Seed 000: off-platform rows count only with 证明材料. When set, no row is verified without a proof file;
    /// otherwise an office may verify one by stating why (recorded on the row).
    @Field(key: "proof_mandatory") var proofMandatory: Bool
    /// When an online order becomes ledger rows: the 832 rule (accepted, paid, evaluated) or on acceptance.
    @Field(key: "order_rule") var orderRule: String
    /// Days after acceptance an unpaid order may wait before it is flagged as 拖欠货款.
    @Field(key: "payment_days") var paymentDays: Int
    /// Whether a purchase of a product no 帮扶产品 certification covered on its date counts. Chongqing rules it does
    /// not: such rows are then booked as not counted, with the reason, and flagged.
    /// nil: as the jurisdiction above says.
    @OptionalField(key: "uncertified_counts") var uncertifiedCounts: Bool?

    init() {}

    /// A PUT may name only some of them; the rest stay as they are.
    struct Values: Content, Equatable {
        var proofMandatory: Bool?
        var orderRule: OrderFlow.LedgerRule?
        var paymentDays: Int?
        var uncertifiedCounts: Bool?
    }

    /// The settings that hold, every one known.
    struct Effective: Sendable {
        var proofMandatory = false
        var orderRule = OrderFlow.LedgerRule.platform832
        var paymentDays = 30
        var uncertifiedCounts = true
        var values: Values {
            Values(proofMandatory: proofMandatory, orderRule: orderRule, paymentDays: paymentDays,
                   uncertifiedCounts: uncertifiedCounts)
        }
    }

    /// The settings that hold for a place: its own, or the nearest region's above it.
    static func values(for region: RegionCode, on db: any Database) async throws -> Effective {
        let rows = try await LedgerSettings.query(on: db)
            .filter(\.$jurisdictionCode ~~ region.selfAndAncestors.map(\.digits)).all()
        let chosen = region.nearest(rows.filter { $0.uncertifiedCounts != nil }, \.jurisdictionCode)
        guard let nearest = region.nearest(rows, \.jurisdictionCode) else { return Effective() }
        return Effective(proofMandatory: nearest.proofMandatory,
                         orderRule: OrderFlow.LedgerRule(rawValue: nearest.orderRule) ?? .platform832,
                         paymentDays: nearest.paymentDays, uncertifiedCounts: chosen?.uncertifiedCounts ?? true)
    }

    /// GET reads, PUT sets, the settings of the caller's jurisdiction (or `jurisdiction` within it).
    @Sendable static func api(req: Request) async throws -> Values {
        let j = try PeriodController.jurisdiction(req)
        guard req.method == .PUT else { return try await values(for: j, on: req.db).values }
        let input = try req.content.decode(Values.self)
        if let days = input.paymentDays, !(1...365).contains(days) {
            throw APIError.invalid(FieldError(field: "paymentDays", code: "out_of_range", message: "付款期限须为1–365天"))
        }
        return try await save(input, for: j, req: req)
    }

    /// Sets what `input` names; a jurisdiction without a row of its own starts from what held for it.
    @discardableResult
    static func save(_ input: Values, for j: RegionCode, req: Request) async throws -> Values {
        let held = try await values(for: j, on: req.db)
        let row = try await LedgerSettings.query(on: req.db).filter(\.$jurisdictionCode == j.digits).first()
            ?? LedgerSettings()
        let before = row.id == nil ? nil : held.values
        row.jurisdictionCode = j.digits
        row.proofMandatory = input.proofMandatory ?? held.proofMandatory
        row.orderRule = (input.orderRule ?? held.orderRule).rawValue
        row.paymentDays = input.paymentDays ?? held.paymentDays
        // Only a choice made here is kept here: otherwise the rule above keeps applying when it changes.
        row.uncertifiedCounts = input.uncertifiedCounts ?? (row.id == nil ? nil : row.uncertifiedCounts)
        let after = Values(proofMandatory: row.proofMandatory, orderRule: OrderFlow.LedgerRule(rawValue: row.orderRule),
                           paymentDays: row.paymentDays,
                           uncertifiedCounts: row.uncertifiedCounts ?? held.uncertifiedCounts)
        try await req.db.writeTransaction { db in
            try await row.save(on: db)
            try await Audit.record(req, on: db, action: "update", entity: "ledger_settings",
                                   id: row.id, region: j.digits,
                                   before: before, after: after)
        }
        return after
    }
}

extension RegionCode {
    /// Of rows kept per jurisdiction, the one of this place or the nearest place above it that has one.
    func nearest<Row>(_ rows: [Row], _ code: KeyPath<Row, String>) -> Row? {
        selfAndAncestors.lazy.compactMap { place in rows.first { $0[keyPath: code] == place.digits } }.first
    }
}
