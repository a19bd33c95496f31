import BangfuKit
import Fluent
import Vapor

/// The campaign pages: an office's list with the form to open one (from a warning), a campaign with its ranked
/// proposals and progress, a unit's invitations with the pledge and delivery forms, and the A4 closing report.
enum CampaignPages {
    struct Invitation: Encodable {
        let campaignId: Int, title: String, product: String, rank: Int, reasons: String, pledged: String?
        let deadline: String, status: String
    }

    struct ListPageData: Encodable {
        let shell: Shell, campaigns: [CampaignDTO], invitations: [Invitation], canRun: Bool
        let products: [ProductDTO], places: [String], warnings: [WarningDTO]
        var values: [String: String]
        var errors: [String: String] = [:]
    }

    struct DetailPage: Encodable {
        let shell: Shell, campaign: CampaignDTO, proposals: [ProposalDTO], canRun: Bool, canPledge: Bool
        let units: [FormPage.Option], channels: [FormPage.Option], purposes: [FormPage.Option]
        let places: [String], today: String
        var errors: [String: String] = [:]
        var values: [String: String] = [:]
        var notice: String?
    }

    @Sendable static func index(req: Request) async throws -> View {
        var values: [String: String] = [:]
        if let w: Int = req.query["warning"],
           let warning = try? await PriceWarnings.find(w, req: req, action: .runCampaigns) {
            values["warningId"] = String(w)
            values["productId"] = String(warning.$product.id)
            let places = try await RegionNames.places(for: [warning.regionCode], on: req.db)
            values["originRegionCode"] = places[warning.regionCode]
        }
        return try await renderList(req, values: values)
    }

    static func renderList(_ req: Request, values: [String: String], error: FieldError? = nil) async throws -> View {
        let canRun = req.scope(for: .runCampaigns) != nil
        let campaigns = try await Campaigns.list(req)
        var dtos: [CampaignDTO] = []
        for c in campaigns { dtos.append(try await CampaignProgress.read(c, req: req)) }
        var page = ListPageData(
            shell: Shell(req), campaigns: canRun ? dtos : [], invitations: try await invitations(req, dtos),
            canRun: canRun,
            products: canRun
                ? try await MonitoredProducts.visible(req, action: .runCampaigns).map(ProductDTO.init) : [],
            places: canRun ? try await Pickers.placeNames(req, anywhere: false) : [],
            warnings: canRun ? try await PriceWarnings.list(req, statuses: [PriceWarning.published]) : [],
            values: values)
        if let error { page.errors = [error.field: error.message] }
        return try await req.view.render("campaigns/index", page)
    }

    /// A unit's (or a system's) invitations, open ones first, each with its place in the ranking and why.
    static func invitations(_ req: Request, _ campaigns: [CampaignDTO]) async throws -> [Invitation] {
        guard let scope = req.scope(for: .pledgeCampaigns), scope != .everything, req.scope(for: .runCampaigns) == nil
        else { return [] }
        let units = try await BuyerUnit.query(on: req.db).scoped(by: scope).all().compactMap(\.id)
        let rows = try await CampaignInvitation.query(on: req.db).filter(\.$buyerUnit.$id ~~ units).all()
        let byID = Dictionary(campaigns.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return rows.compactMap { i -> Invitation? in
            guard let c = byID[i.$campaign.id] else { return nil }
            return Invitation(campaignId: c.id, title: c.title, product: c.product, rank: i.rank, reasons: i.reasons,
                              pledged: i.pledgedThousandths.map { Quantity(thousandths: $0, unit: c.unit).description },
                              deadline: c.deadline, status: c.statusName)
        }.sorted { order($0) < order($1) }
    }

    /// Open campaigns first, then by the unit's place in the ranking, newest first.
    static func order(_ i: Invitation) -> (Int, Int, Int) {
        (i.status == "进行中" ? 0 : 1, i.rank, -i.campaignId)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let values = try CampaignInput.formValues(req)
        do {
            let coded = try await Pickers.codes(values, CampaignInput.pickers, req: req)
            let c = try await Campaigns.create(CampaignInput(form: coded), req: req)
            return req.redirect(to: SiteURL.campaign.path(id: c.id!))
        } catch let e as FieldError {
            return try await renderList(req, values: values, error: e)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable static func show(req: Request) async throws -> View {
        try await renderDetail(req, notice: req.query["notice"])
    }

    static func renderDetail(_ req: Request, values: [String: String] = [:], error: FieldError? = nil,
                             notice: String? = nil) async throws -> View {
        let c = try await Campaigns.find(req)
        let canRun = req.scope(for: .runCampaigns) != nil
        let invitedUnits = try await CampaignInvitation.query(on: req.db).filter(\.$campaign.$id == c.id!).all()
            .map(\.$buyerUnit.id)
        let scope = req.scope(for: .pledgeCampaigns) ?? .ownAccount
        let mine = try await BuyerUnit.query(on: req.db).scoped(by: scope).filter(\.$id ~~ invitedUnits).sort(\.$name)
            .all()
        var page = DetailPage(
            shell: Shell(req), campaign: try await CampaignProgress.read(c, req: req),
            proposals: canRun ? try await CampaignProposals.rank(c, req: req) : [], canRun: canRun,
            canPledge: !mine.isEmpty && c.status == Campaigns.open,
            units: mine.map { .init(value: String($0.id!), label: $0.name) },
            channels: try await channels(req), purposes: PurchasePurpose.options,
            places: try await RegionNames.places(for: [c.originRegionCode], on: req.db).values.map { $0 },
            today: req.today.description, values: values, notice: notice)
        if let error { page.errors = [error.field: error.message] }
        return try await req.view.render("campaigns/show", page)
    }

    static func channels(_ req: Request) async throws -> [FormPage.Option] {
        try await Channel.query(on: req.db).sort(\.$code).all().map { .init(value: $0.code, label: $0.name) }
    }

    /// Runs a detail page's form; back to the page with a notice or with the error beside its field.
    /// The fields the page shows an error beside; any other error shows above the forms.
    static let fields: Set<String> = ["quantity", "deliverQuantity", "amount", "seller", "originRegionCode",
                                      "belowFloorReason", "unitIds"]

    /// `form`: the form's name for fields two forms share (the delivery's quantity is "deliverQuantity").
    static func act(_ req: Request, notice: String, renaming: [String: String] = [:],
                    _ command: ([String: String]) async throws -> Void) async throws -> Response {
        let values = try PledgeInput.formValues(req)
        do {
            try await command(values)
            let id = req.parameters.get("id") ?? ""
            return req.redirect(to: "/campaigns/\(id)?notice="
                + (notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        } catch let e as FieldError {
            let named = renaming[e.field] ?? e.field
            let field = fields.contains(named) ? named : "form"
            return try await renderDetail(req, values: values,
                                          error: FieldError(field: field, code: e.code, message: e.message))
                .encodeResponse(status: .unprocessableEntity, for: req)
        } catch let e as APIError where e.status == .conflict {
            return try await renderDetail(req, values: values,
                                          error: FieldError(field: "form", code: e.code, message: e.message))
                .encodeResponse(status: .conflict, for: req)
        }
    }

    @Sendable static func invite(req: Request) async throws -> Response {
        try await act(req, notice: "已发出邀请") { f in
            let ids = f.filter { $0.key.hasPrefix("unit-") && $0.value == "1" }.compactMap { Int($0.key.dropFirst(5)) }
            _ = try await CampaignPledges.invite(InvitationInput(unitIds: ids), req: req)
        }
    }

    @Sendable static func pledge(req: Request) async throws -> Response {
        try await act(req, notice: "认购已登记") { f in
            _ = try await CampaignPledges.pledge(PledgeInput(form: f), req: req)
        }
    }

    @Sendable static func deliver(req: Request) async throws -> Response {
        let notice = "交付已记入采购台账，待核实后计入任务"
        return try await act(req, notice: notice, renaming: ["quantity": "deliverQuantity"]) { f in
            let coded = try await Pickers.codes(f, DeliveryInput.pickers, req: req)
            _ = try await CampaignPledges.deliver(DeliveryInput(form: coded), req: req)
        }
    }

    @Sendable static func close(req: Request) async throws -> Response {
        try await act(req, notice: "活动已结束") { _ in _ = try await Campaigns.close(req) }
    }

    /// The closing report on A4: the same figures as the .xlsx, printed from the browser.
    @Sendable static func print(req: Request) async throws -> View {
        let c = try await Campaigns.find(req)
        let campaign = try await CampaignProgress.read(c, req: req)
        return try await req.view.render("campaigns/print", ["campaign": campaign])
    }
}
