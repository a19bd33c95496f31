import BangfuKit
import Fluent
import SQLKit
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

    static let job = JobHandler(title: "导出台账") { job in
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
        var filter = Purchase.visible(to: caller.scope) ?? "1 = 0"
        if let d = p.from.flatMap(LocalDate.init) { filter = filter + " AND p.purchased_on >= \(bind: d.description)" }
        if let d = p.to.flatMap(LocalDate.init) { filter = filter + " AND p.purchased_on <= \(bind: d.description)" }
        var unitName = "全部"
        switch form {
        case .township:
            if let code = p.township.flatMap(RegionCode.init) {
                filter = filter + " AND p.origin_region_code LIKE \(bind: code.subtreePrefix + "%")"
                unitName = try await RegionNames.places(for: [code.digits], on: db)[code.digits] ?? code.digits
            }
        case .leadUnit:
            if let s = p.system {
                filter = filter + " AND p.buyer_system_id = \(bind: s)"
                unitName = try await LeadSystem.find(s, on: db)?.name ?? unitName
            }
            if let u = p.unit {
                // Named only when in the caller's scope: another county's unit is "not found", not printed.
                guard let unit = try await BuyerUnit.query(on: db).scoped(by: caller.scope).filter(\.$id == u).first()
                else { throw APIError.notFound("采购单位") }
                filter = filter + " AND p.buyer_unit_id = \(bind: u)"
                unitName = unit.name
            }
        }
        let rows = try await Row.all(where: filter, on: db)
        let places = try await RegionNames.places(for: rows.map(\.origin_region_code), on: db)
        let sheet = SalesReport.sheet(form, unit: unitName, contact: caller.user?.displayName ?? "", phone: "",
                                      date: caller.today.description, rows: rows.map { $0.cells(places) })
        return try SheetFile(sheet, sheetName: form.name, filename: "\(form.name)-\(unitName)-\(caller.today)",
                             csv: p.csv)
    }

    /// A row as the sheets print it, read through SQLKit: a province's year is hundreds of thousands of rows,
    /// and decoding whole models for them took seconds and hundreds of megabytes.
    private struct Row: Decodable {
        let unit: String
        let purchased_on: String
        let origin_region_code: String
        let seller_masked: String
        let variety: String
        let quantity_thousandths: Int64
        let quantity_unit: String
        let amount_fen: Int64
        let note: String?
        let purpose: String
        let households_touched: Int?

        /// Rows that count: not a reversal, not a duplicate, not rejected, not cancelled by a reversal.
        static func all(where filter: SQLQueryString, on db: any Database) async throws -> [Row] {
            try await (db as! any SQLDatabase).raw("""
                SELECT u.name AS unit, p.purchased_on, p.origin_region_code, p.seller_masked, p.variety,
                    p.quantity_thousandths, p.quantity_unit, p.amount_fen, p.note, p.purpose, p.households_touched
                FROM purchases p JOIN buyer_units u ON u.id = p.buyer_unit_id
                WHERE p.reverses_id IS NULL AND p.duplicate_of IS NULL
                    AND p.state <> \(bind: VerificationState.rejected.rawValue)
                    AND NOT EXISTS (SELECT 1 FROM purchases r WHERE r.reverses_id = p.id)
                    AND \(filter)
                ORDER BY p.purchased_on, p.id
                """).all(decoding: Row.self)
        }

        func cells(_ places: [String: String]) -> [String] {
            let day = LocalDate(purchased_on).map { "\($0.year).\($0.month).\($0.day)" } ?? purchased_on
            let kind = PurchasePurpose(rawValue: purpose) ?? .other
            return [unit, day, places[origin_region_code] ?? origin_region_code, seller_masked, variety,
                    Quantity(thousandths: quantity_thousandths, unit: quantity_unit).description,
                    Fen(amount_fen).seedText,
                    SalesReport.note(kept: note, purpose: kind, households: households_touched)]
        }
    }
}
