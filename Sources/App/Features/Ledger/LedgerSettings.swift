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

    init() {}

    struct Values: Content, Equatable { var proofMandatory: Bool }

    /// The settings that hold for a place: its own, or the nearest region's above it.
    static func values(for region: RegionCode, on db: any Database) async throws -> Values {
        let chain = region.selfAndAncestors.map(\.digits)
        let rows = try await LedgerSettings.query(on: db).filter(\.$jurisdictionCode ~~ chain).all()
        let nearest = chain.lazy.compactMap { code in rows.first { $0.jurisdictionCode == code } }.first
        return Values(proofMandatory: nearest?.proofMandatory ?? false)
    }

    /// GET reads, PUT sets, the settings of the caller's jurisdiction (or `jurisdiction` within it).
    @Sendable static func api(req: Request) async throws -> Values {
        let j = try PeriodController.jurisdiction(req)
        guard req.method == .PUT else { return try await values(for: j, on: req.db) }
        let input = try req.content.decode(Values.self)
        try await save(input, for: j, req: req)
        return input
    }

    static func save(_ input: Values, for j: RegionCode, req: Request) async throws {
        let row = try await LedgerSettings.query(on: req.db).filter(\.$jurisdictionCode == j.digits).first()
            ?? LedgerSettings()
        let before = row.id == nil ? nil : Values(proofMandatory: row.proofMandatory)
        row.jurisdictionCode = j.digits
        row.proofMandatory = input.proofMandatory
        try await req.db.writeTransaction { db in
            try await row.save(on: db)
            try await Audit.record(req, on: db, action: "update", entity: "ledger_settings",
                                   id: row.id, region: j.digits,
                                   before: before, after: input)
        }
    }
}
