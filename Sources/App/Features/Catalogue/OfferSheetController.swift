import BangfuKit
import Fluent
import Vapor

/// 附件1 in and out: .xlsx or .csv (UTF-8, UTF-8 with BOM, GBK/GB18030), all rows or none.
enum OfferSheetController {
    /// Reads cells from an upload, whatever its format.
    static func cells(_ data: Data) throws -> [[String]] {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            do { return try XLSX.read(data) } catch let e as XLSX.Unreadable {
                throw ImportRejected([RowError(row: 1, column: "文件", code: "unreadable", message: e.description)])
            }
        }
        guard let text = TextDecoding.decode(data) else {
            let message = "无法识别文件编码（应为 xlsx，或 UTF-8/GBK 编码的 csv）"
            throw ImportRejected([RowError(row: 1, column: "文件", code: "unreadable", message: message)])
        }
        return CSV.parse(text)
    }

    /// Parses and writes a whole sheet in one transaction; a row that fails rejects the file.
    static func importSheet(_ data: Data, req: Request) async throws -> ImportReport {
        let resolver = try await RegionResolver.load(scope: req.scope, on: req.db)
        let sheet = try Attachment1.parse(try cells(data), resolve: resolver.resolve)
        let cipher = req.fieldCipher, today = req.today, origin = Audit.Origin.request(req)
        let lines = sheet.rows.concurrentMap(draft)
        let drafts = lines.map(\.draft), warnings = lines.compactMap(\.warning)
        let region: String? = if case .region(let r) = req.scope { r.digits } else { nil }
        var imported = try await req.db.writeTransaction { db in
            try await OfferImport.write(drafts, source: "import", origin: origin, cipher: cipher, today: today,
                                        region: region, on: db)
        }
        imported.warnings = warnings
        Metrics.imported(rows: drafts.count, into: "offers")
        req.application.rematchAfterImport()
        return imported
    }

    /// A row as the catalogue keeps it, and the warning a cooperative without its 带动户数 gets.
    @Sendable static func draft(_ row: Attachment1.Row) -> (draft: OfferService.Draft, warning: RowError?) {
        let touched = row.householdsTouched
        let unsaid = "贫困户姓名为合作社（企业）但备注没有带动户数（如“带动贫困户12户”）"
        let warning = touched != .organisationWithoutCount ? nil
            : RowError(row: row.line, column: "备注", code: "households_unsaid", message: unsaid)
        let households: Int? = if case .count(let n) = touched { n } else { nil }
        let draft = OfferService.Draft(
            region: row.region, supplierID: nil, seller: row.seller, category: .guess(for: row.variety),
            variety: row.variety, quantity: row.quantity, price: row.price, method: row.method,
            shopURL: row.shopURL, contactName: row.contact.name, contactPhone: row.contact.phone,
            marks: [], linkedHouseholds: households, note: row.note)
        return (draft, warning)
    }

    static func upload(_ req: Request) throws -> Data {
        if req.headers.contentType?.type == "multipart" {
            struct Upload: Decodable { let file: File }
            // The multipart parser's own errors are neither decoding errors nor HTTP errors: name them here.
            guard let file = try? req.content.decode(Upload.self).file else {
                throw APIError(status: .badRequest, code: "bad_multipart",
                    message: "上传内容无法读取：应为含 file 字段的 multipart 表单")
            }
            guard file.data.readableBytes > 0 else { throw FieldError.required("file", "文件") }
            return Data(buffer: file.data)
        }
        guard let body = req.body.data, body.readableBytes > 0 else { throw FieldError.required("file", "文件") }
        return Data(buffer: body)
    }

    struct ReportPage: Encodable { let shell: Shell; let report: ImportReport?; let error: String? }

    @Sendable static func showImport(req: Request) async throws -> View {
        try await req.view.render("offers/import", ReportPage(shell: Shell(req), report: nil, error: nil))
    }

    @Sendable static func submitImport(req: Request) async throws -> Response {
        var report = ImportReport(), error: String? = nil
        do { report = try await importSheet(try upload(req), req: req) } catch let e as ImportRejected {
            report.errors = e.errors
        } catch let e as FieldError { error = e.message }
        let status: HTTPStatus = report.accepted && error == nil ? .ok : .unprocessableEntity
        let page = ReportPage(shell: Shell(req), report: report, error: error)
        return try await req.render("offers/import", page, status: status)
    }

    @Sendable static func apiImport(req: Request) async throws -> Response {
        do {
            return try await importSheet(try upload(req), req: req).encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await ImportReport(errors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// The scoped catalogue as 附件1; sellers' names in full only for those who may read identities.
    @Sendable static func export(req: Request) async throws -> Response {
        var q = Offer.query(on: req.db).scoped(by: req.scope)
        var place = "全部"
        if let text: String = req.query["region"], !text.isEmpty {
            guard let code = RegionCode(text), let region = try await Region.find(code.digits, on: req.db) else {
                throw APIError(status: .unprocessableEntity, code: "invalid", message: "区划代码不正确",
                               field: "region")
            }
            q = q.filter(\.$regionCode =~ code.subtreePrefix)
            place = region.name
        }
        let offers = try await q.sort(\.$regionCode).sort(\.$id).all()
        let names = try await RegionNames.places(for: offers.map(\.regionCode), on: req.db)
        let identity = req.scope(for: .readHouseholdIdentity)
        let rows = try offers.map { o -> [String] in
            let mayRead = identity?.covers(region: o.regionCode) == true
            let seller = mayRead ? try req.fieldCipher.open(o.sellerSealed) : o.sellerMasked
            let contact = mayRead ? try o.contact(opened: req.fieldCipher) : ContactLine(name: o.contactName,
                phone: o.contactPhone)
            return [names[o.regionCode] ?? o.regionCode, seller, o.variety, o.quantity.description, o.price.description,
                    SupplyMethod(rawValue: o.supplyMethod)?.chineseName ?? o.supplyMethod, o.shopURL ?? "",
                    "\(contact.name) \(contact.phone)", o.note ?? ""]
        }
        let header = Attachment1.HeaderBlock(unit: place, filler: req.currentUser?.displayName ?? "",
                                             phone: "", date: req.today.description)
        let sheet = Attachment1.sheet(header: header, rows: rows)
        let filename = "附件1-待销目录-\(place)-\(req.today)"
        return try SheetDownload.response(sheet, sheetName: "附件1", filename: filename, req: req)
    }
}
