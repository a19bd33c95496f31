import BangfuKit
import Fluent
import Vapor

/// 附件2 (a township's sales) and 附件3 (a lead unit's purchases) in and out, .xlsx or GBK/UTF-8 .csv.
/// The forms carry no channel, so the importer names it (and a purpose for rows whose 备注 says none).
enum LedgerSheetController {
    static func form(_ req: Request) throws -> SalesReport.Form {
        guard let f = SalesReport.Form(rawValue: req.query["form"] ?? "") else {
            throw APIError(status: .unprocessableEntity, code: "invalid", message: "表格应为附件2或附件3", field: "form")
        }
        return f
    }

    static func importSheet(_ file: ImportFile, form: SalesReport.Form, channel: String?, purpose: String?, req: Request) async throws -> LedgerImportReport {
        let held = try await ChannelList.load(on: req.db).effective(for: try await ChannelList.region(of: req))
        guard let channel, let picked = held.first(where: { $0.code == channel }) else {
            throw APIError.invalid(.invalid("channel", "渠道"))
        }
        // A sheet is the reporter's own account: its rows wait for proof; platform rows come from platform exports.
        guard !picked.viaPlatform else {
            throw APIError.invalid(FieldError(field: "channel", code: "platform_channel",
                                              message: "附件2、附件3的记录须核实证明，不能选平台渠道（平台订单请用平台导出导入）"))
        }
        let fallback = purpose.flatMap(PurchasePurpose.init(codeOrName:)) ?? .other
        let regions = try await RegionResolver.load(scope: .everything, on: req.db)
        let cells = try OfferSheetController.cells(try Data(contentsOf: file.url))
        let sheet = try SalesReport.parse(cells, form: form, today: req.today, resolve: regions.resolve)
        // A township sells to buyers anywhere; a lead unit reports only its own system's units.
        let units = try await BuyerUnit.query(on: req.db).scoped(by: form == .township ? .everything : req.scope).all()
        let byName = try await UnitNames.lookup(units, on: req.db)
        let c = form.columns
        let columns = ["buyerUnitId": c[1], "purchasedOn": c[2], "originRegionCode": c[3], "seller": c[4], "variety": c[5],
                       "quantity": c[6], "amount": c[7], "purpose": c[8], "channel": "渠道"]
        var rows = sheet.rows.makeIterator(), unknown: [String: [Int]] = [:], nearest: [String: String] = [:]
        let items = Pull<ImportItem> {
            guard let r = rows.next() else { return nil }
            if form == .township, case .region(let own) = req.scope, !own.contains(r.region) {
                return .failure(RowError(row: r.line, column: c[3], code: "out_of_scope",
                                         message: "地区“\(r.place)”不在本辖区（乡镇）范围内"))
            }
            guard let unit = byName[r.buyer] else {
                unknown[r.buyer, default: []].append(r.line)
                let message = nearest[r.buyer] ?? UnitNames.unknown(r.buyer, among: units)
                nearest[r.buyer] = message      // the closest names once per written name, not per row
                return .failure(RowError(row: r.line, column: c[1], code: "unknown_buyer", message: message))
            }
            var input = PurchaseInput(form: [:])
            input.buyerUnitId = unit; input.purchasedOn = r.date.description; input.originRegionCode = r.region.digits
            input.seller = r.seller; input.variety = r.variety; input.quantity = r.quantity.description
            input.amount = r.amount.description; input.purpose = (r.purpose ?? fallback).rawValue; input.channel = channel
            if case .count(let n) = r.householdsTouched { input.householdsTouched = n }
            input.note = r.note
            return .row(r.line, input)
        }
        let context = try await LedgerContext(req, on: req.db).knowing(units)
        let importer = LedgerImporter(source: form.source, columns: columns, fileTag: file.tag, origin: .request(req))
        var report: LedgerImportReport
        do {
            report = try await importer.run(context: context, on: req.db, items: items)
            req.application.scanFlagsAfterImport()
        } catch let rejected as ImportRejected {
            var report = LedgerImportReport(errors: rejected.errors)
            report.unknownBuyers = UnitNames.unknownBuyers(unknown, among: units)
            throw RejectedImport(report: report)
        }
        report.householdsTouched = sheet.rows.reduce(0) { sum, r in
            if case .count(let n) = r.householdsTouched { return sum + n } else { return sum + 1 }
        }
        report.warnings = sheet.rows.filter { $0.householdsTouched == .organisationWithoutCount }.map {
            RowError(row: $0.line, column: "备注", code: "households_unsaid",
                     message: "备注写明合作社（企业）但没有带动户数（如“带动贫困户12户”），按1户计")
        }
        return report
    }

    static func receive(_ req: Request, form: SalesReport.Form?, channel: String?, purpose: String?) async throws -> LedgerImportReport {
        let file = try await ImportFile.receive(req)
        defer { file.remove() }
        guard let form else { throw FieldError.invalid("form", "表格") }
        return try await importSheet(file, form: form, channel: channel, purpose: purpose, req: req)
    }

    @Sendable static func apiImport(req: Request) async throws -> Response {
        try await LedgerImporter.respond(req) {
            try await receive(req, form: try form(req), channel: req.query["channel"], purpose: req.query["purpose"])
        }
    }

    struct ImportPage: Encodable {
        let shell: Shell; let report: LedgerImportReport?; let error: String?; let options: [String: [FormPage.Option]]
        /// The units an unknown name may be given to as an alias (empty for those who may not name units).
        var units: [FormPage.Option] = []
        var aliased = false
    }

    @Sendable static func showImport(req: Request) async throws -> View {
        var page = ImportPage(shell: Shell(req), report: nil, error: nil,
                              options: try await LedgerController.formOptions(req))
        page.aliased = req.query["aliased"] == "1"
        return try await req.view.render("purchases/import", page)
    }

    /// The units in the caller's scope for naming, when the report has names to give and the caller may.
    static func aliasTargets(_ report: LedgerImportReport, req: Request) async throws -> [FormPage.Option] {
        guard !report.unknownBuyers.isEmpty, let scope = req.scope(for: .editBuyers) else { return [] }
        return try await BuyerUnit.query(on: req.db).scoped(by: scope).sort(\.$name).all()
            .map { FormPage.Option(value: String($0.id!), label: $0.name) }
    }

    @Sendable static func submitImport(req: Request) async throws -> Response {
        struct Fields: Decodable { let form: String?; let channel: String?; let purpose: String? }
        let f = try req.content.decode(Fields.self)
        if let platform = f.form?.split(separator: ":").dropFirst().first, f.form?.hasPrefix("platform:") == true {
            return try await PlatformImport.submitForm(String(platform), req: req)
        }
        var report = LedgerImportReport(), error: String? = nil
        do {
            report = try await receive(req, form: SalesReport.Form(rawValue: f.form ?? ""), channel: f.channel, purpose: f.purpose)
        } catch let e as ImportRejected { report.errors = e.errors
        } catch let e as RejectedImport { report = e.report
        } catch let e as FieldError { error = e.message
        } catch let e as APIError { error = e.message }
        var page = ImportPage(shell: Shell(req), report: report, error: error,
                              options: try await LedgerController.formOptions(req))
        page.units = try await aliasTargets(report, req: req)
        return try await req.render("purchases/import", page, status: report.errors.isEmpty && error == nil ? .ok : .unprocessableEntity)
    }

    /// 附件2 of a township (rows from it) or 附件3 of a lead system or unit (rows bought by it), for a date range.
    @Sendable static func export(req: Request) async throws -> Response {
        try await export(req, form: try form(req))
    }

    /// `township`: the township whose sales 附件2 lists, when the caller is fixed to one (a clerk's own).
    /// `?async=1` makes it a job (a province's year is more than a request should wait for): the API answers 202
    /// with the job, a page goes to the job's page, which offers the file when it is ready.
    static func export(_ req: Request, form: SalesReport.Form, township: RegionCode? = nil) async throws -> Response {
        let params = LedgerExport.Params(req, form: form, township: township)
        guard req.query["async"] == "1" else {
            let file = try await LedgerExport.file(params, caller: Caller(req), on: try await req.replica())
            return file.response(attachment: true)
        }
        return try await JobController.start(req, kind: LedgerExport.jobKind, params: params)
    }
}
