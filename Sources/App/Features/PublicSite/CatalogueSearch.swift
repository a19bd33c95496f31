import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The public catalogue: certified (valid today), fresh offers of entities not on the blacklist.
/// Name search goes through the offer_terms index; category, region and mark narrow it.
enum CatalogueSearch {
    struct Query: Content {
        var q: String?
        var category: String?
        var region: String?
        var mark: String?
    }

    struct Row: Decodable { let id: Int }

    static func ids(_ query: Query, only offerID: Int? = nil, today: LocalDate, limit: Int = 50, on db: any Database) async throws -> [Int] {
        let sql = db as! any SQLDatabase
        let day = today.description
        var s: SQLQueryString = """
            SELECT o.id FROM offers o
            JOIN product_applications a ON a.offer_id = o.id AND a.state = 'certified' AND a.valid_until > \(bind: day)
            WHERE o.updated_on > \(bind: Freshness.freshSince(today).description)
            AND (o.supplier_id IS NULL OR o.supplier_id NOT IN (
                SELECT b.supplier_id FROM blacklist_entries b WHERE b.lifted_at IS NULL AND b.starts_on <= \(bind: day)
                AND (b.ends_on IS NULL OR b.ends_on > \(bind: day))))
            """
        if let offerID { s += " AND o.id = \(bind: offerID)" }
        let text = SearchTerms.normalise(query.q ?? "")
        if !text.isEmpty {
            let terms = SearchTerms.query(text)
            s += """
                 AND o.id IN (SELECT t.offer_id FROM offer_terms t WHERE t.term IN (\(binds: terms))
                 GROUP BY t.offer_id HAVING COUNT(DISTINCT t.term) = \(literal: terms.count))
                 AND LOWER(o.variety) LIKE \(bind: "%" + escapeLike(text) + "%") ESCAPE '!'
                """
        }
        if let c = query.category, ProductCategory(rawValue: c) != nil { s += " AND o.category = \(bind: c)" }
        if let r = query.region.flatMap(RegionCode.init) { s += " AND o.region_code LIKE \(bind: r.subtreePrefix + "%")" }
        if let m = query.mark, QualityMark(rawValue: m) != nil { s += " AND (',' || o.quality_marks || ',') LIKE \(bind: "%," + m + ",%")" }
        s += " ORDER BY o.updated_on DESC, o.id DESC LIMIT \(literal: limit)"
        return try await sql.raw(s).all(decoding: Row.self).map(\.id)
    }

    static func escapeLike(_ s: String) -> String {
        s.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(of: "_", with: "!_")
    }

    /// One certified offer as the public sees it: household identities masked.
    struct Item: Content {
        let offer: OfferDTO
        let place: String
        let certificateNo: String?
        let validUntil: String?
        let supplierName: String?
        let photos: [String]
    }

    static func items(_ ids: [Int], req: Request) async throws -> [Item] {
        guard !ids.isEmpty else { return [] }
        let offers = try await Offer.query(on: req.db).filter(\.$id ~~ ids).with(\.$supplier).all()
        let certs = try await ProductApplication.query(on: req.db).filter(\.$offer.$id ~~ ids)
            .filter(\.$state == CertificationState.certified.rawValue).all()
        let names = try await RegionNames.places(for: offers.map(\.regionCode), on: req.db)
        let byID = Dictionary(uniqueKeysWithValues: offers.map { ($0.id!, $0) })
        let photos = try await Attachment.query(on: req.db).filter(\.$entity == "offer").filter(\.$entityID ~~ ids)
            .sort(\.$id).all()
        let today = req.today
        return ids.compactMap { id in
            guard let o = byID[id] else { return nil }
            let cert = certs.first { $0.$offer.id == id }
            let supplier = o.supplier.flatMap { $0.kind == SupplierKind.household.rawValue ? nil : $0.name }
            var offer = OfferDTO(o, today: today)
            offer.note = o.note.map(Mask.numbers)
            return Item(offer: offer, place: names[o.regionCode] ?? o.regionCode,
                        certificateNo: cert?.certificateNo, validUntil: cert?.validUntil, supplierName: supplier,
                        photos: photos.filter { $0.entityID == id }.map { SiteURL.photo.path(id: $0.id!) })
        }
    }
}

enum PublicController {
    struct SearchPage: Encodable {
        let shell: Shell; let query: CatalogueSearch.Query; let items: [CatalogueSearch.Item]
        let categories: [FormPage.Option]; let marks: [FormPage.Option]
    }

    @Sendable static func catalogue(req: Request) async throws -> View {
        let query = try req.query.decode(CatalogueSearch.Query.self)
        let items = try await CatalogueSearch.items(try await CatalogueSearch.ids(query, today: req.today, on: req.db), req: req)
        return try await req.view.render("public/catalogue", SearchPage(shell: Shell(req), query: query, items: items,
                                                                        categories: ProductCategory.options, marks: QualityMark.options))
    }

    @Sendable static func apiCatalogue(req: Request) async throws -> [CatalogueSearch.Item] {
        let query = try req.query.decode(CatalogueSearch.Query.self)
        return try await CatalogueSearch.items(try await CatalogueSearch.ids(query, today: req.today, on: req.db), req: req)
    }

    struct ItemPage: Encodable { let shell: Shell; let item: CatalogueSearch.Item }

    /// A product page exists only while the product is in the public catalogue.
    @Sendable static func item(req: Request) async throws -> View {
        guard let id = req.parameters.get("id", as: Int.self) else { throw APIError.notFound("产品") }
        let visible = try await CatalogueSearch.ids(.init(), only: id, today: req.today, on: req.db)
        guard visible == [id], let item = try await CatalogueSearch.items([id], req: req).first else {
            throw APIError.notFound("产品")
        }
        return try await req.view.render("public/item", ItemPage(shell: Shell(req), item: item))
    }

    /// 公示: applications in their objection window, with the last day to object.
    static func publicity(_ req: Request) async throws -> [ApplicationDTO] {
        let today = req.today
        return try await ProductApplication.query(on: req.db).filter(\.$state == CertificationState.inPublicity.rawValue)
            .sort(\.$publicityEnds).all().map { ApplicationDTO($0, today: today) }
    }

    @Sendable static func publicityPage(req: Request) async throws -> View {
        try await req.view.render("public/publicity", ListPage(shell: Shell(req), rows: try await publicity(req)))
    }

    @Sendable static func apiPublicity(req: Request) async throws -> [ApplicationDTO] { try await publicity(req) }
}
