import BangfuKit
import Fluent
import Vapor

/// 附件2 of a township (rows from it) or 附件3 of a lead system or unit (rows bought by it), for a date range:
/// in the request, or as a job whose file is kept for download.
enum LedgerExport {
    static let jobKind = "ledger-export"
    /// How long a produced export is kept for download.
    static let keepSeconds: Int64 = 24 * 3_600

    /// What the export was asked for, kept with a job so that any server can produce it later.
    struct Params: Codable, Sendable {
        let form: String
        let action: String
        let from: String?, to: String?
        let township: String?, system: Int?, unit: Int?
        let csv: Bool

        init(_ req: Request, form: SalesReport.Form, township fixed: RegionCode?) {
            self.form = form.rawValue
            action = (req.route?.action ?? .viewPurchases).rawValue
            from = req.query["from"]
            to = req.query["to"]
            // the export form sends "" for any
            township = fixed?.digits ?? (req.query["township"] as String?).flatMap(RegionCode.init)?.digits
            system = req.query["system"]
            unit = req.query["unit"]
            csv = req.query["format"] == "csv"
        }
    }

    static let job = JobHandler { job in
        let params = try job.params(Params.self)
        guard let action = Action(rawValue: params.action) else { throw APIError.forbidden }
        let caller = try await Caller(job: job.job, action: action, app: job.app)
        let file = try await LedgerExport.file(params, caller: caller, on: job.app.db)
        let sha = try await job.app.files.put(file.data)
        return JobOutcome(report: nil, result: (sha, file.filename, keepSeconds))
    }

    static func file(_ p: Params, caller: Caller, on db: any Database) async throws -> SheetFile {
        guard let form = SalesReport.Form(rawValue: p.form) else {
            throw APIError(status: .unprocessableEntity, code: "invalid", message: "表格应为附件2或附件3",
                           field: "form")
        }
        var q = Purchase.query(on: db).scoped(by: caller.scope)
            .filter(\.$reversesID == nil)
            .filter(\.$duplicateOf == nil)
            .filter(\.$state != VerificationState.rejected.rawValue)
        if let d = p.from.flatMap(LocalDate.init) { q = q.filter(\.$purchasedOn >= d.description) }
        if let d = p.to.flatMap(LocalDate.init) { q = q.filter(\.$purchasedOn <= d.description) }
        var unitName = "全部"
        switch form {
        case .township:
            if let code = p.township.flatMap(RegionCode.init) {
                q = q.filter(\.$originRegionCode =~ code.subtreePrefix)
                unitName = try await RegionNames.places(for: [code.digits], on: db)[code.digits] ?? code.digits
            }
        case .leadUnit:
            if let s = p.system {
                q = q.filter(\.$buyerSystemID == s)
                unitName = try await LeadSystem.find(s, on: db)?.name ?? unitName
            }
            if let u = p.unit {
                // Named only when in the caller's scope: another county's unit is "not found", not printed.
                guard let unit = try await BuyerUnit.query(on: db).scoped(by: caller.scope).filter(\.$id == u).first()
                else { throw APIError.notFound("采购单位") }
                q = q.filter(\.$buyerUnit.$id == u)
                unitName = unit.name
            }
        }
        let rows = try await q.with(\.$buyerUnit).sort(\.$purchasedOn).sort(\.$id).all()
        let reversed = Set(try await Purchase.query(on: db).filter(\.$reversesID ~~ rows.compactMap(\.id)).all()
            .compactMap(\.reversesID))
        let live = rows.filter { !reversed.contains($0.id!) }
        let places = try await RegionNames.places(for: live.map(\.originRegionCode), on: db)
        let cells = live.map { p -> [String] in
            let d = LocalDate(p.purchasedOn)!
            return [p.buyerUnit.name, "\(d.year).\(d.month).\(d.day)", places[p.originRegionCode] ?? p.originRegionCode,
                    p.sellerMasked, p.variety,
                    Quantity(thousandths: p.quantityThousandths, unit: p.quantityUnit).description,
                    Fen(p.amountFen).seedText,
                    SalesReport.note(kept: p.note, purpose: PurchasePurpose(rawValue: p.purpose) ?? .other,
                                     households: p.householdsTouched)]
        }
        let sheet = SalesReport.sheet(form, unit: unitName, contact: caller.user?.displayName ?? "", phone: "",
                                      date: caller.today.description, rows: cells)
        return try SheetFile(sheet, sheetName: form.name, filename: "\(form.name)-\(unitName)-\(caller.today)",
                             csv: p.csv)
    }
}
