import BangfuKit
import Fluent
import Vapor

enum OfferController {
    static let template = "offers/form"
    static var options: [String: [FormPage.Option]] {
        ["category": ProductCategory.options, "supplyMethod": SupplyMethod.options, "mark": QualityMark.options]
    }

    static func list(_ req: Request) async throws -> [OfferDTO] {
        var q = Offer.query(on: req.db).scoped(by: req.scope)
        if let region: String = req.query["region"], let code = RegionCode(region) { q = q.filter(\.$regionCode =~ code.subtreePrefix) }
        if req.query["stale"] == "1" { q = q.filter(\.$updatedOn <= Freshness.freshSince(req.today).description) }
        let today = req.today
        return try await q.sort(\.$regionCode).sort(\.$id).limit(500).all().map { OfferDTO($0, today: today) }
    }

    static func create(_ input: OfferInput, req: Request) async throws -> Offer {
        let draft = try await OfferService.draft(input, scope: req.scope, on: req.db, today: req.today)
        let cipher = req.fieldCipher, today = req.today
        return try await req.db.writeTransaction { db in
            try await OfferService.save(draft, source: "form", origin: .request(req), cipher: cipher, today: today, on: db).0
        }
    }

    static func find(_ req: Request) async throws -> Offer {
        guard let id = req.parameters.get("id", as: Int.self),
              let offer = try await Offer.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first()
        else { throw APIError.notFound("产品") }
        return offer
    }

    static func update(_ input: OfferInput, req: Request) async throws -> Offer {
        let offer = try await find(req)
        let draft = try await OfferService.draft(input, scope: req.scope, on: req.db, today: req.today)
        let cipher = req.fieldCipher, today = req.today
        return try await req.db.writeTransaction { db in
            try await OfferService.save(draft, target: offer, source: "form", origin: .request(req), cipher: cipher, today: today, on: db).0
        }
    }

    @Sendable static func index(req: Request) async throws -> View {
        var page = ListPage(shell: Shell(req), rows: try await list(req), canCreate: req.scope(for: .editOffers) != nil)
        page.extra["canImport"] = req.scope(for: .importOffers) != nil ? "1" : ""
        page.filter["region"] = req.query["region"] ?? ""
        return try await req.view.render("offers/index", page)
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, template, options: options, pickers: OfferInput.pickers)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, OfferInput.self, options: options) {
            _ = try await create($0, req: req)
            return SiteURL.offers.path
        }
    }

    /// The edit form, filled from the offer; the seller's name is shown in full only to those who may read it.
    @Sendable static func edit(req: Request) async throws -> View {
        let o = try await find(req)
        var page = FormPage(shell: Shell(req))
        try await page.pick(OfferInput.pickers, options: options, req: req)
        let mayRead = req.scope(for: .readHouseholdIdentity)?.covers(region: o.regionCode) == true
        let seller = mayRead ? try req.fieldCipher.open(o.sellerSealed) : ""
        let contact = mayRead ? try o.contact(opened: req.fieldCipher) : ContactLine(name: o.contactName,
            phone: o.contactPhone)
        page.values = ["id": String(o.id!), "regionCode": o.regionCode, "sellerName": seller, "category": o.category,
                       "variety": o.variety, "quantity": o.quantity.description, "price": o.price.description,
                       "supplyMethod": o.supplyMethod, "shopURL": o.shopURL ?? "", "contactName": contact.name,
                       "contactPhone": contact.phone, "note": o.note ?? "",
                       "linkedHouseholds": o.linkedHouseholds.map(String.init) ?? "",
                       "supplierId": o.$supplier.id.map(String.init) ?? ""]
        page.values = try await Pickers.names(page.values, OfferInput.pickers, on: req.db)
        for m in o.marks { page.values["mark_\(m.rawValue)"] = "true" }
        page.attachments = try await AttachmentController.list(.photo, entityID: o.id!, on: req.db)
        return try await req.view.render(template, page)
    }

    @Sendable static func submitEdit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, OfferInput.self, options: options) {
            _ = try await update($0, req: req)
            return SiteURL.offers.path
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [OfferDTO] { try await list(req) }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let o = try await create(try OfferInput.decode(req), req: req)
        return try await OfferDTO(o, today: req.today).encodeResponse(status: .created, for: req)
    }

    @Sendable static func apiUpdate(req: Request) async throws -> OfferDTO {
        OfferDTO(try await update(try OfferInput.decode(req), req: req), today: req.today)
    }
}
