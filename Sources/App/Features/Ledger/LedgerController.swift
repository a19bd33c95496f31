import BangfuKit
import Fluent
import Vapor

struct TotalsDTO: Content {
    struct Line: Content { let key: String; let name: String; let amountFen: Int64; let amount: String; let rows: Int }
    let counted: [Line]
    let pending: Line
}

enum LedgerController {
    static func list(_ req: Request) async throws -> [PurchaseDTO] {
        var q = Purchase.query(on: req.db).scoped(by: req.scope)
        if let state: String = req.query["state"], VerificationState(rawValue: state) != nil { q = q.filter(\.$state == state) }
        if req.query["suspected"] == "1" { q = q.filter(\.$suspectedDuplicateOf != nil) }
        let rows = try await q.sort(\.$purchasedOn, .descending).sort(\.$id, .descending).limit(500).all()
        let proofs = try await Attachment.query(on: req.db).filter(\.$entity == "purchase").filter(\.$entityID ~~ rows.map { $0.id! }).all()
        return rows.map { p in
            var dto = PurchaseDTO(p)
            dto.proofs = proofs.filter { $0.entityID == p.id }.map {
                AttachmentDTO(id: $0.id!, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                              url: AttachmentController.url(.proof, entityID: p.id!, file: $0.id!))
            }
            return dto
        }
    }

    /// Totals read from the rollups only: counted rows grouped by channel, purpose or month; what waits for proof apart.
    static func totals(_ req: Request) async throws -> TotalsDTO {
        var q = PurchaseRollup.query(on: req.db).scoped(by: req.scope)
        if let month: String = req.query["month"], !month.isEmpty { q = q.filter(\.$month == month) }
        let rows = try await q.all()
        let by = req.query["by"] ?? "channel"
        let channels = Dictionary(uniqueKeysWithValues: try await Channel.query(on: req.db).all().map { ($0.code, $0.name) })
        let name: (String) -> String = { key in
            by == "channel" ? channels[key] ?? key : by == "purpose" ? PurchasePurpose(rawValue: key)?.chineseName ?? key : key
        }
        let group: (PurchaseRollup) -> String = switch by {
        case "purpose": { $0.purpose }
        case "month": { $0.month }
        case "township": { $0.originTownship }
        default: { $0.channelCode }
        }
        let counted = Dictionary(grouping: rows.filter(\.counted), by: group).map { key, rs in
            TotalsDTO.Line(key: key, name: name(key), amountFen: rs.reduce(0) { $0 + $1.amountFen }, amount: Fen(rs.reduce(0) { $0 + $1.amountFen }).description,
                           rows: rs.reduce(0) { $0 + $1.rowCount })
        }.filter { $0.rows != 0 }.sorted { $0.key < $1.key }
        let waiting = rows.filter { !$0.counted }
        let pendingFen = waiting.reduce(0) { $0 + $1.amountFen }
        return TotalsDTO(counted: counted, pending: .init(key: "pending", name: "未计入", amountFen: pendingFen, amount: Fen(pendingFen).description,
                                                          rows: waiting.reduce(0) { $0 + $1.rowCount }))
    }

    struct Page: Encodable { let shell: Shell; let rows: [PurchaseDTO]; let totals: TotalsDTO; let canRecord: Bool; let canVerify: Bool }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("purchases/index", Page(shell: Shell(req), rows: try await list(req), totals: try await totals(req),
                                                          canRecord: req.scope(for: .recordPurchases) != nil,
                                                          canVerify: req.scope(for: .verifyPurchases) != nil))
    }

    static var options: [String: [FormPage.Option]] { ["purpose": PurchasePurpose.options] }

    static func formOptions(_ req: Request) async throws -> [String: [FormPage.Option]] {
        var o = options
        o["channel"] = try await Channel.query(on: req.db).sort(\.$id).all().map { .init(value: $0.code, label: "\($0.heading) · \($0.name)") }
        return o
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, "purchases/new", options: try await formOptions(req))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, "purchases/new", PurchaseInput.self, options: try await formOptions(req)) {
            _ = try await LedgerService.record($0, source: .manual, req: req)
            return SiteURL.purchases.path
        }
    }

    @Sendable static func verifyForm(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        _ = try await LedgerService.verify(.init(approve: f["approve"] == "true", reason: f["reason"]), req: req)
        return req.redirect(to: SiteURL.purchases.path + "?state=pending")
    }

    @Sendable static func apiIndex(req: Request) async throws -> [PurchaseDTO] { try await list(req) }
    @Sendable static func apiTotals(req: Request) async throws -> TotalsDTO { try await totals(req) }
    @Sendable static func apiCreate(req: Request) async throws -> Response {
        try await PurchaseDTO(try await LedgerService.record(try PurchaseInput.decode(req), source: .manual, req: req))
            .encodeResponse(status: .created, for: req)
    }
    @Sendable static func apiVerify(req: Request) async throws -> PurchaseDTO {
        PurchaseDTO(try await LedgerService.verify(try req.content.decode(LedgerService.VerifyInput.self), req: req))
    }
    @Sendable static func apiDuplicate(req: Request) async throws -> PurchaseDTO {
        PurchaseDTO(try await LedgerService.settleDuplicate(try req.content.decode(LedgerService.DuplicateInput.self), req: req))
    }
}
