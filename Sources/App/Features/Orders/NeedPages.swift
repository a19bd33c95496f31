import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The needs pages: a buyer's needs with the form to post one, one need's matches and quotes with order buttons,
/// and the open needs a seller can quote for.
enum NeedPages {
    struct Index: Encodable {
        let shell: Shell; let needs: [NeedDTO]; let units: [FormPage.Option]; let places: [String]
        let purposes: [FormPage.Option]; let marks: [FormPage.Option]
        var values: [String: String] = [:]; var errors: [String: String] = [:]
        let ownUnit: Bool
    }

    static func index(_ req: Request, values: [String: String] = [:],
        errors: [String: String] = [:]) async throws -> Index {
        let needs = try await Need.query(on: req.db).scoped(by: req.scope).sort(\.$id, .descending).limit(200).all()
        let own = if case .buyerUnit = req.scope { true } else { false }
        return Index(shell: Shell(req), needs: needs.map(NeedDTO.init), units: try await Pickers.units(req),
                     places: try await Pickers.placeNames(req, anywhere: true), purposes: PurchasePurpose.options,
                     marks: QualityMark.options, values: values, errors: errors, ownUnit: own)
    }

    @Sendable static func show(req: Request) async throws -> View {
        try await req.view.render("needs/index", try await index(req))
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        let values = try NeedInput.formValues(req)
        do {
            let coded = try await Pickers.codes(values, NeedInput.pickers, req: req)
            let need = try await NeedController.post(NeedInput(form: coded), req: req)
            return req.redirect(to: SiteURL.need.path(id: need.id!))
        } catch let e as FieldError {
            return try await req.render("needs/index", try await index(req, values: values,
                errors: [e.field: e.message]),
                                        status: .unprocessableEntity)
        }
    }

    struct Detail: Encodable {
        let shell: Shell; let need: NeedDTO; let unit: String; let place: String
        let matches: [NeedController.MatchDTO]; let split: [[String: String]]?; let quotes: [QuoteDTO]
        let key: String; var error: String? = nil
    }

    static func detail(_ req: Request, error: String? = nil) async throws -> Detail {
        let need = try await NeedController.find(req)
        let found = try await NeedController.matches(need, req: req)
        let place = try await RegionNames.places(for: [need.deliveryRegionCode], on: req.db)
        return Detail(shell: Shell(req), need: found.need,
                      unit: try await BuyerUnit.find(need.$buyerUnit.id, on: req.db)?.name ?? "",
                      place: place[need.deliveryRegionCode] ?? need.deliveryRegionCode,
                      matches: found.matches, split: (found.split?.count ?? 0) > 1 ? found.split : nil,
                      quotes: try await QuoteController.quotes(for: need, on: req.db).filter { $0.state == "open" },
                      key: UUID().uuidString, error: error)
    }

    @Sendable static func need(req: Request) async throws -> View {
        try await req.view.render("needs/show", try await detail(req))
    }

    struct Open: Encodable {
        struct Item: Encodable {
            let need: NeedDTO; let unit: String; let offers: [FormPage.Option]
            /// Where the caller's best offer stands in the need's last re-match (推荐第N位), if it is kept there.
            var rank: Int? = nil
        }
        let shell: Shell
        let items: [Item]; var notice: String? = nil; var error: String? = nil; var errorNeed: Int? = nil
    }

    static func open(_ req: Request) async throws -> Open {
        let found = try await QuoteController.answerable(req)
        let units = try await BuyerUnit.query(on: req.db).filter(\.$id ~~ Set(found.map(\.0.$buyerUnit.id))).all()
        let names = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0.name) })
        let ranks = try await bestRanks(needs: found.compactMap(\.0.id), offers: found.flatMap(\.1).compactMap(\.id),
                                        on: req.db)
        let items = found.map { n, offers in
            Open.Item(need: NeedDTO(n), unit: names[n.$buyerUnit.id] ?? "",
                      offers: offers.map { .init(value: String($0.id!),
                          label: "\($0.variety) · \($0.sellerMasked) · 可售\($0.available) · \($0.price)") },
                      rank: ranks[n.id!])
        }
        return Open(shell: Shell(req), items: items)
    }

    /// Need → the best place any of `offers` holds in its kept matches.
    static func bestRanks(needs: [Int], offers: [Int], on db: any Database) async throws -> [Int: Int] {
        guard !needs.isEmpty, !offers.isEmpty else { return [:] }
        struct Row: Decodable { let need_id: Int; let rank: Int }
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT need_id, MIN(rank) AS rank FROM need_matches
            WHERE need_id IN (\(binds: needs)) AND offer_id IN (\(binds: offers)) GROUP BY need_id
            """).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.need_id, $0.rank) }, uniquingKeysWith: min)
    }

    @Sendable static func openNeeds(req: Request) async throws -> View {
        var page = try await open(req)
        if req.query["quoted"] == "1" { page.notice = "报价已提交，采购单位可按报价下单。" }
        return try await req.view.render("needs/open", page)
    }

    @Sendable static func quote(req: Request) async throws -> Response {
        let f = try NeedInput.formValues(req)
        let id = req.parameters.get("id", as: Int.self)
        do {
            let input = QuoteInput(offerId: f.int("offerId"), price: f.text("price"), quantity: f.text("quantity"),
                                   note: f.text("note"))
            _ = try await QuoteController.quote(input, need: id, req: req)
            return req.redirect(to: SiteURL.openNeeds.path + "?quoted=1")
        } catch let e as FieldError {
            var page = try await open(req)
            (page.error, page.errorNeed) = (e.message, id)
            return try await req.render("needs/open", page, status: .unprocessableEntity)
        } catch let e as APIError where e.status.code < 500 {
            var page = try await open(req)
            (page.error, page.errorNeed) = (e.message, id)
            return try await req.render("needs/open", page, status: e.status)
        }
    }
}
