import BangfuKit
import Fluent
import SQLKit
import Vapor

struct TotalsDTO: Content {
    struct Line: Content { let key: String; let name: String; let amountFen: Int64; let amount: String; let rows: Int }
    let counted: [Line]
    let pending: Line
}

enum LedgerController {
    /// The list's filters, also what a progress figure's drill-down link sets (booked months, counted rows …).
    static func filtered(_ req: Request) -> QueryBuilder<Purchase> {
        let q = Purchase.query(on: req.db).scoped(by: req.scope)
        // A filter form sends its empty fields too: an empty value is no filter.
        func value(_ key: String) -> String? { req.query[String.self, at: key].flatMap { $0.isEmpty ? nil : $0 } }
        func list(_ key: String) -> [String]? { value(key).map { $0.split(separator: ",").map(String.init) } }
        if let state: String = req.query["state"], VerificationState(rawValue: state) != nil { q.filter(\.$state == state) }
        if req.query["awaiting"] == "1" { q.awaitingCheck() }
        if req.query["suspected"] == "1" { q.filter(\.$suspectedDuplicateOf != nil) }
        if let u: Int = req.query["unit"] { q.filter(\.$buyerUnit.$id == u) }
        if let b = value("buyerRegion") { q.filter(\.$buyerRegionCode =~ b) }
        if let c = list("channel") { q.filter(\.$channelCode ~~ c) }
        if let c = list("notChannel") { q.filter(\.$channelCode !~ c) }
        if let p = list("purpose") { q.filter(\.$purpose ~~ p) }
        if let o = list("origin") { q.group(.or) { g in for prefix in o { g.filter(\.$originRegionCode =~ prefix) } } }
        if req.query["deep"] == "1" { q.filter(\.$fromDeepPoverty == true) }
        if let from = value("from") { q.filter(\.$bookedOn >= from) }
        if let to = value("to") { q.filter(\.$bookedOn < to + "-99") }
        if req.query["counted"] == "1" {
            q.filter(\.$duplicateOf == nil).filter(\.$state != VerificationState.rejected.rawValue)
                .group(.or) { $0.filter(\.$viaPlatform == true).filter(\.$state == VerificationState.verified.rawValue) }
        }
        return q
    }

    /// Rows a list page shows at most.
    static let pageSize = 500

    /// A page of rows in the order they were entered, newest first, as the primary key holds them: a page costs the
    /// same at ten million rows as at a thousand (sorting by purchase date would sort every row in scope first).
    /// `before` (an id) pages back; `limit` takes fewer rows.
    static func list(_ req: Request) async throws -> [PurchaseDTO] {
        let q = filtered(req)
        if let before: Int = req.query["before"] { q.filter(\.$id < before) }
        return try await withProofs(try await q.sort(\.$id, .descending).limit(limit(req)).all(), on: req.db)
    }

    static func limit(_ req: Request) -> Int { min(max(req.query["limit"] ?? pageSize, 1), pageSize) }

    /// The list page's link to the rows entered before these, keeping the page's filters; nil on the last page.
    static func earlier(_ req: Request, after rows: [PurchaseDTO]) -> String? {
        guard rows.count == limit(req), let last = rows.last else { return nil }
        var items = URLComponents(string: req.url.string)?.queryItems?.filter { $0.name != "before" } ?? []
        items.append(URLQueryItem(name: "before", value: String(last.id)))
        var link = URLComponents()
        link.path = SiteURL.purchases.path; link.queryItems = items
        return link.string
    }

    static func withProofs(_ rows: [Purchase], on db: any Database) async throws -> [PurchaseDTO] {
        let proofs = try await Attachment.query(on: db).filter(\.$entity == "purchase").filter(\.$entityID ~~ rows.map { $0.id! }).all()
        return rows.map { p in
            var dto = PurchaseDTO(p)
            dto.proofs = proofs.filter { $0.entityID == p.id }.map {
                AttachmentDTO(id: $0.id!, filename: $0.filename, contentType: $0.contentType, size: $0.size,
                              url: AttachmentController.url(.proof, entityID: p.id!, file: $0.id!))
            }
            return dto
        }
    }

    struct DetailPage: Encodable {
        let shell: Shell; let p: PurchaseDTO; let unit: String; let origin: String; let sourceName: String; let bookedOn: String
        let related: [PurchaseDTO]; let audit: [AuditDTO]; let canCorrect: Bool; let options: [String: [FormPage.Option]]
        let places: [String]
    }

    /// A purchase with where it came from, the rows linked to it (duplicates, reversal, correction), its proof and audit trail.
    @Sendable static func show(req: Request) async throws -> View {
        let p = try await LedgerService.find(req)
        let id = p.id!
        let links = [p.duplicateOf, p.suspectedDuplicateOf, p.reversesID, p.replacesID].compactMap { $0 }
        let related = try await Purchase.query(on: req.db).scoped(by: req.scope).group(.or) {
            $0.filter(\.$id ~~ links).filter(\.$duplicateOf == id).filter(\.$suspectedDuplicateOf == id)
                .filter(\.$reversesID == id).filter(\.$replacesID == id)
            if let original = p.replacesID { $0.filter(\.$reversesID == original) }    // a correction's reversal
        }.sort(\.$id).all()
        let audit = try await AuditEntry.query(on: req.db).filter(\.$entity == "purchase")
            .filter(\.$entityID ~~ ([id] + related.map { $0.id! }).map(String.init)).sort(\.$at).all()
        let unit = try await BuyerUnit.find(p.$buyerUnit.id, on: req.db)?.name ?? ""
        let origin = try await RegionNames.places(for: [p.originRegionCode], on: req.db)[p.originRegionCode] ?? p.originRegionCode
        var dto = try await withProofs([p], on: req.db)[0]
        dto.channelName = try await Channel.query(on: req.db).filter(\.$code == p.channelCode).first()?.name
        return try await req.view.render("purchases/show", DetailPage(
            shell: Shell(req), p: dto, unit: unit, origin: origin,
            sourceName: PurchaseSource(rawValue: p.source)?.chineseName ?? p.source, bookedOn: p.bookedOn,
            related: try await withProofs(related, on: req.db), audit: audit.map(AuditDTO.init),
            canCorrect: req.scope(for: .recordPurchases) != nil && p.reversesID == nil,
            options: try await formOptions(req),
            places: try await Pickers.placeNames(req, anywhere: true)))
    }

    @Sendable static func correctForm(req: Request) async throws -> Response {
        let values = try await Pickers.codes(try PurchaseInput.formValues(req), PurchaseInput.pickers, req: req)
        let (_, replacement) = try await LedgerService.correct(try PurchaseInput(form: values), req: req)
        return req.redirect(to: "/purchases/\(replacement.id!)")
    }

    @Sendable static func apiCorrect(req: Request) async throws -> Response {
        let (reversal, replacement) = try await LedgerService.correct(try PurchaseInput.decode(req), req: req)
        struct Out: Content { let reversal: PurchaseDTO; let replacement: PurchaseDTO }
        return try await Out(reversal: PurchaseDTO(reversal), replacement: PurchaseDTO(replacement)).encodeResponse(status: .created, for: req)
    }

    struct BenefitPage: Encodable {
        struct Line: Encodable { let village: String; let households: Int; let amount: String }
        let shell: Shell; let year: Int; let lines: [Line]; let households: Int; let amount: String
        /// 到户: for an office, every counted yuan attributed to households.
        var attribution: HouseholdAttribution.Report? = nil
        var unattributed: String? = nil
    }

    /// 利益联结 by village: how much reached how many 脱贫户 in the caller's region.
    @Sendable static func benefits(req: Request) async throws -> Response {
        let prefix: String
        switch req.scope {
        case .everything: prefix = ""
        case .region(let r): prefix = r.subtreePrefix
        default: throw APIError.forbidden
        }
        let year = req.query["year"] ?? req.today.year
        let rows = try await Benefits.byVillage(under: prefix, year: year, through: "\(year)-12", on: req.db)
        if req.url.path.hasPrefix("/api/") { return try await rows.encodeResponse(for: req) }
        let names = try await RegionNames.places(for: rows.map(\.village_code), on: req.db)
        var page = BenefitPage(
            shell: Shell(req), year: year,
            lines: rows.map { .init(village: names[$0.village_code] ?? $0.village_code, households: $0.households, amount: Fen($0.amount_fen).description) },
            households: rows.reduce(0) { $0 + $1.households }, amount: Fen(rows.reduce(0) { $0 + $1.amount_fen })
                .description)
        if case .region = req.scope {
            page.attribution = try await HouseholdAttribution.report(req, year: year)
            page.unattributed = page.attribution.map { Fen($0.unattributedFen).description }
        }
        return try await req.view.render("purchases/benefits", page).encodeResponse(for: req)
    }

    /// Totals read from the rollups only, at the coarsest grain that answers the caller's scope: counted rows
    /// grouped by channel, purpose, month or origin township; what waits for proof apart.
    static func totals(_ req: Request, channels known: [Channel]? = nil) async throws -> TotalsDTO {
        let by = req.query["by"] ?? "channel"
        let column = ["purpose": "purpose", "month": "month", "township": "origin_township"][by] ?? "channel_code"
        var table = "purchase_rollups", filter: SQLQueryString = "1 = 1", amount: SQLQueryString = "SUM(amount_fen)", rows: SQLQueryString = "SUM(row_count)"
        switch req.scope {
        case .everything where by != "township": table = "unit_rollups"
        case .buyerUnit(let id) where by != "township": table = "unit_rollups"; filter = "buyer_unit_id = \(bind: id)"
        case .system(let id) where by != "township": table = "unit_rollups"; filter = "buyer_system_id = \(bind: id)"
        case .buyerUnit(let id): filter = "buyer_unit_id = \(bind: id)"
        case .system(let id): filter = "buyer_system_id = \(bind: id)"
        case .region(let r) where r.level <= .county && by == "township":
            table = "origin_rollups"      // by township means by where the products come from
            filter = "origin_township LIKE \(bind: r.subtreePrefix + "%")"
        case .region(let r) where r.level <= .county:
            table = "region_rollups"      // a county or above: membership is decided by county, on both sides
            filter = Rollups.inOrFrom(prefix: r.subtreePrefix)
            amount = Rollups.inOrFromSum("amount_fen"); rows = Rollups.inOrFromSum("row_count")
        case .region(let r):
            filter = "(origin_township LIKE \(bind: r.subtreePrefix + "%") OR buyer_region_code LIKE \(bind: r.subtreePrefix + "%"))"
        case .everything: break
        default: filter = "1 = 0"
        }
        if let month: String = req.query["month"], !month.isEmpty { filter = filter + " AND month = \(bind: month)" }
        struct Row: Decodable { let key: String; let counted: Bool; let amount: Int64; let rows: Int }
        let lines = try await (req.db as! any SQLDatabase).raw("""
            SELECT \(unsafeRaw: column) AS key, counted, CAST(\(amount) AS BIGINT) AS amount, CAST(\(rows) AS BIGINT) AS rows
            FROM \(ident: table) WHERE \(filter) GROUP BY \(unsafeRaw: column), counted
            """).all(decoding: Row.self)
        let loaded = if let known { known } else { try await Channel.query(on: req.db).all() }
        let channels = ChannelList(rows: loaded).names(for: try await ChannelList.region(of: req))
        let name: (String) -> String = { key in
            by == "channel" ? channels[key] ?? key : by == "purpose" ? PurchasePurpose(rawValue: key)?.chineseName ?? key : key
        }
        let counted = lines.filter { $0.counted && $0.rows != 0 }.map {
            TotalsDTO.Line(key: $0.key, name: name($0.key), amountFen: $0.amount, amount: Fen($0.amount).description, rows: $0.rows)
        }.sorted { $0.key < $1.key }
        let waiting = lines.filter { !$0.counted }
        let pendingFen = waiting.reduce(0) { $0 + $1.amount }
        return TotalsDTO(counted: counted, pending: .init(key: "pending", name: "未计入", amountFen: pendingFen, amount: Fen(pendingFen).description,
                                                          rows: waiting.reduce(0) { $0 + $1.rows }))
    }

    struct Page: Encodable {
        let shell: Shell; let rows: [PurchaseDTO]; let earlier: String?
        /// The filter form's choices and what the page was asked for.
        let filters: [String: [FormPage.Option]]; let values: [String: String]
        let totals: TotalsDTO; let canRecord: Bool; let canVerify: Bool
        /// Why the office's last action on a row was refused, shown above the list.
        var problem: String? = nil
    }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("purchases/index", try await page(req))
    }

    static func page(_ req: Request, problem: String? = nil) async throws -> Page {
        var rows = try await list(req)
        let units = Dictionary(uniqueKeysWithValues: try await BuyerUnit.query(on: req.db).filter(\.$id ~~ Set(rows.map(\.buyerUnitId))).all()
            .map { ($0.id!, $0.name) })
        // The channels, read once: the rows' names, the filter form's choices and the totals' names.
        let channels = ChannelList(rows: try await Channel.query(on: req.db).sort(\.$id).all())
            .effective(for: try await ChannelList.region(of: req))
        let channelNames = Dictionary(channels.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let places = try await RegionNames.places(for: rows.map(\.originRegionCode), on: req.db)
        for i in rows.indices {
            rows[i].buyerUnitName = units[rows[i].buyerUnitId]
            rows[i].channelName = channelNames[rows[i].channel]; rows[i].originName = places[rows[i].originRegionCode]
        }
        var filters = formOptions(channels)
        filters["state"] = VerificationState.options
        let exports = try await Pickers.choices(["township": .township, "system": .leadSystem], req: req).options
        filters.merge(exports) { a, _ in a }
        return Page(shell: Shell(req), rows: rows, earlier: earlier(req, after: rows), filters: filters,
                    values: (try? req.query.decode([String: String].self)) ?? [:],
                    totals: try await totals(req, channels: channels),
                    canRecord: req.scope(for: .recordPurchases) != nil,
                    canVerify: req.scope(for: .verifyPurchases) != nil, problem: problem)
    }

    /// A refused row action (verify, link) keeps the office on its list, with the reason above it.
    static func refusedAction(_ req: Request, _ action: () async throws -> Void,
                              then path: String) async throws -> Response {
        do {
            try await action()
            return req.redirect(to: path)
        } catch let e as FieldError {
            return try await req.render("purchases/index", try await page(req, problem: e.message),
                                        status: .unprocessableEntity)
        } catch let e as APIError where e.status == .conflict || e.status == .unprocessableEntity {
            return try await req.render("purchases/index", try await page(req, problem: e.message), status: e.status)
        }
    }

    /// The duplicate queue's buttons: link to the suspected twin, or separate.
    @Sendable static func duplicateForm(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        return try await refusedAction(req, {
            _ = try await LedgerService.settleDuplicate(.init(of: f["of"].flatMap { Int($0) }), req: req)
        }, then: SiteURL.purchases.path + "?suspected=1")
    }

    static var options: [String: [FormPage.Option]] { ["purpose": PurchasePurpose.options] }

    static func formOptions(_ req: Request) async throws -> [String: [FormPage.Option]] {
        formOptions(try await ChannelList.load(on: req.db).effective(for: try await ChannelList.region(of: req)))
    }

    static func formOptions(_ channels: [Channel]) -> [String: [FormPage.Option]] {
        var o = options
        o["channel"] = channels.map { .init(value: $0.code, label: $0.heading == $0.name ? $0.name : "\($0.heading) · \($0.name)") }
        return o
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, "purchases/new", options: try await formOptions(req),
                                pickers: PurchaseInput.pickers)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, "purchases/new", PurchaseInput.self, options: try await formOptions(req)) {
            _ = try await LedgerService.record($0, source: .manual, req: req)
            return SiteURL.purchases.path
        }
    }

    @Sendable static func verifyForm(req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        return try await refusedAction(req, {
            _ = try await LedgerService.verify(.init(approve: f["approve"] == "true", reason: f["reason"]), req: req)
        }, then: SiteURL.purchases.path + "?awaiting=1")
    }

    @Sendable static func apiIndex(req: Request) async throws -> [PurchaseDTO] { try await list(req) }
    @Sendable static func apiTotals(req: Request) async throws -> TotalsDTO { try await totals(req) }
    @Sendable static func apiCreate(req: Request) async throws -> Response {
        try await PurchaseDTO(try await LedgerService.record(try PurchaseInput.decode(req), source: .manual, req: req))
            .encodeResponse(status: .created, for: req)
    }
    @Sendable static func apiShow(req: Request) async throws -> PurchaseDTO {
        try await withProofs([try await LedgerService.find(req)], on: req.db)[0]
    }
    @Sendable static func apiVerify(req: Request) async throws -> PurchaseDTO {
        PurchaseDTO(try await LedgerService.verify(try req.content.decode(LedgerService.VerifyInput.self), req: req))
    }
    @Sendable static func apiDuplicate(req: Request) async throws -> PurchaseDTO {
        PurchaseDTO(try await LedgerService.settleDuplicate(try req.content.decode(LedgerService.DuplicateInput.self), req: req))
    }
}
