import BangfuKit
import Fluent
import Foundation
import Vapor

/// A platform whose order exports are imported: its channel and its column mapping (JSON), kept as data.
final class Platform: Model, @unchecked Sendable {
    static let schema = "platforms"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "channel_code") var channelCode: String
    @Field(key: "mapping") var mappingJSON: String

    init() {}
    init(code: String, name: String, channelCode: String, mapping: PlatformMapping) throws {
        self.code = code; self.name = name; self.channelCode = channelCode
        mappingJSON = String(decoding: try JSONEncoder().encode(mapping), as: UTF8.self)
    }

    var mapping: PlatformMapping { get throws { try JSONDecoder().decode(PlatformMapping.self, from: Data(mappingJSON.utf8)) } }
}

/// Platform-reported rows: all orders of a file or none; orders already in the ledger are skipped, not summed.
/// The file is streamed row by row, so a province's million-row export needs no more memory than a chunk.
enum PlatformImport {
    struct Prepared: Sendable { let importer: LedgerImporter; let context: LedgerContext; let items: Pull<ImportItem> }

    static func prepare(_ file: ImportFile, platformCode: String, caller: Caller,
                        on db: any Database) async throws -> Prepared {
        guard let platform = try await Platform.query(on: db).filter(\.$code == platformCode).first() else {
            throw APIError(status: .unprocessableEntity, code: "invalid", message: "未知的平台", field: "platform")
        }
        let m = try platform.mapping
        let rows = try file.rows()
        guard let header = try rows.next() else { throw ImportRejected([RowError(row: 1, column: "表头", code: "bad_header", message: "文件是空的")]) }
        let columns = try PlatformExport.Columns(header: header.1, mapping: m)
        // The buyer must be named and in scope: a unit's import never takes another unit's orders as its own.
        let inScope = try await BuyerUnit.query(on: db).scoped(by: caller.scope).all()
        var units: [String: Int] = [:]
        for u in inScope {
            units[u.name] = u.id
            if let c = u.creditCode { units[c] = u.id }
        }
        let regions = try await RegionResolver.load(scope: .everything, on: db)
        let names: [String: String] = ["buyerUnitId": m.buyer, "purchasedOn": m.date, "originRegionCode": m.origin,
                                       "seller": m.seller, "variety": m.variety, "quantity": m.quantity, "amount": m.amount,
                                       "purpose": m.purpose ?? "用途", "orderId": m.orderID, "channel": "渠道"]
        let channel = platform.channelCode, lookup = units
        let items = Pull<ImportItem> {
            while let (line, cells) = try rows.next() {
                guard let o = columns.order(cells, line: line) else { continue }
                guard let unit = lookup[o.buyer] ?? lookup[o.buyer.uppercased()] else {
                    return .failure(RowError(row: o.line, column: m.buyer, code: "unknown_buyer", message: "采购单位“\(o.buyer)”不存在或不在您的范围内"))
                }
                var input = PurchaseInput(form: [:])
                input.buyerUnitId = unit; input.purchasedOn = o.date
                input.originRegionCode = RegionCode(o.origin)?.digits ?? regions.resolve(o.origin)?.digits ?? o.origin
                input.seller = o.seller; input.variety = o.variety; input.quantity = o.quantity; input.amount = o.amount
                input.purpose = PurchasePurpose(codeOrName: o.purpose)?.rawValue ?? o.purpose
                input.channel = channel; input.orderId = o.orderID
                return .row(o.line, input)
            }
            return nil
        }
        return Prepared(importer: LedgerImporter(source: .platform, columns: names, fileTag: file.tag,
                                                 origin: caller.origin),
                        context: try await LedgerContext(caller, on: db).knowing(inScope), items: items)
    }

    struct JobParams: Codable { let platform: String }
    static let jobKind = "platform-import"

    /// Queues the import as a job any server may run: the upload goes to the shared file store first.
    static func start(_ file: ImportFile, platform: String, req: Request) async throws -> JobRecord {
        defer { file.remove() }
        let sha = try await req.application.files.put(contentsOf: file.url)
        return try await req.application.jobs.enqueue(jobKind, params: JobParams(platform: platform), input: sha,
                                                      origin: .request(req), app: req.application)
    }

    /// The job: the same import as in the request, for the user who started it, with the scope they have now.
    static let job = JobHandler { job in
        let app = job.app
        let caller = try await Caller(job: job.job, action: .recordPurchases, app: app)
        let file = try await job.input()
        defer { file.remove() }
        do {
            let prepared = try await prepare(file, platformCode: try job.params(JobParams.self).platform,
                                             caller: caller, on: app.db)
            let report = try await prepared.importer.run(context: prepared.context, on: app.db, progress: job,
                                                         items: prepared.items)
            app.scanFlagsAfterImport()
            return JobOutcome(report: try ImportJobStatus.json(report))
        } catch let rejected as ImportRejected {
            throw JobRejected(report: try ImportJobStatus.json(LedgerImportReport(errors: rejected.errors)))
        }
    }

    /// `?async=1` answers 202 at once with the job to poll; otherwise the report when the import is done.
    /// Either way the header and the platform are checked before the answer.
    @Sendable static func api(req: Request) async throws -> Response {
        let file = try await ImportFile.receive(req)
        let platform = req.query["platform"] ?? ""
        let prepared: Prepared
        do { prepared = try await prepare(file, platformCode: platform, caller: Caller(req), on: req.db) } catch {
            file.remove()
            if let e = error as? ImportRejected {
                return try await LedgerImportReport(errors: e.errors)
                    .encodeResponse(status: .unprocessableEntity, for: req)
            }
            throw error
        }
        if req.query["async"] == "1" {
            let job = try await start(file, platform: platform, req: req)
            return try await ImportJobStatus(job).encodeResponse(status: .accepted, for: req)
        }
        defer { file.remove() }
        let db = req.application.db
        return try await LedgerImporter.respond(req) {
            let report = try await prepared.importer.run(context: prepared.context, on: db, items: prepared.items)
            req.application.scanFlagsAfterImport()
            return report
        }
    }

    @Sendable static func apiJob(req: Request) async throws -> ImportJobStatus {
        let id = req.parameters.get("id") ?? ""
        guard let job = try await req.application.jobs.find(id, owner: req.currentUser?.id, on: req.db),
              job.kind == jobKind
        else { throw APIError.notFound("导入任务") }
        return ImportJobStatus(job)
    }

    struct JobPage: Encodable { let shell: Shell; let job: ImportJobStatus }

    /// The progress page: it reloads itself every two seconds while the import waits or runs (no script needed).
    @Sendable static func jobPage(req: Request) async throws -> View {
        try await req.view.render("purchases/job", JobPage(shell: Shell(req), job: try await apiJob(req: req)))
    }

    /// The import page's platform choice: the upload is answered with the progress page.
    static func submitForm(_ platform: String, req: Request) async throws -> Response {
        let file = try await ImportFile.receive(req)
        do {
            _ = try await prepare(file, platformCode: platform, caller: Caller(req), on: req.db)
        } catch { file.remove(); throw error }
        let job = try await start(file, platform: platform, req: req)
        return req.redirect(to: SiteURL.importJob.path(id: job.id ?? ""))
    }
}
