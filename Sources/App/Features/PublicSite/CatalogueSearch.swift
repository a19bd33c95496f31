import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The public catalogue: certified (valid today), fresh offers of entities not on the blacklist, as
/// `CatalogueListings` keeps them. A page walks the query's rarest term's index entries in the order it shows them,
/// joined in that order to the entries of the next rarest terms (merged, or probed by key: all are index-only), and
/// checks each remaining entry on its listing, so its cost follows the page, not how many offers match.
enum CatalogueSearch {
    struct Query: Content {
        var q: String?
        var category: String?
        var region: String?
        var mark: String?
        /// 最新 (default), 价格从低到高, 价格从高到低.
        var sort: String?
        /// 1-based; bounded by `maxPage`.
        var page: Int?

        var pageNumber: Int { min(max(page ?? 1, 1), CatalogueSearch.maxPage) }
        var order: Order { Order(rawValue: sort ?? "") ?? .newest }
        var text: String { SearchTerms.normalise(q ?? "") }
        var categoryFilter: ProductCategory? { category.flatMap(ProductCategory.init) }
        var regionFilter: RegionCode? { region.flatMap(RegionCode.init) }
        var markFilter: QualityMark? { mark.flatMap(QualityMark.init) }

        /// The search as read, for `PublicResponseCache`: parameters it ignores do not make another.
        var cacheKey: String {
            [text, categoryFilter?.rawValue ?? "", regionFilter?.digits ?? "", markFilter?.rawValue ?? "",
             order.rawValue, String(pageNumber)].joined(separator: "|")
        }
    }

    enum Order: String, CaseIterable {
        case newest, priceAsc, priceDesc
        var chineseName: String { ["最新", "价格从低到高", "价格从高到低"][Self.allCases.firstIndex(of: self)!] }
        /// The order of one of the term indexes, walked forwards or backwards.
        var sql: String {
            switch self {
            case .newest: "t.updated_on DESC, t.offer_id DESC"
            case .priceAsc: "t.price_fen ASC, t.offer_id ASC"
            case .priceDesc: "t.price_fen DESC, t.offer_id DESC"
            }
        }
        /// The column that index orders a term's entries by, before the offer.
        var column: String { self == .newest ? "updated_on" : "price_fen" }
    }

    static let pageSize = 24
    static let maxPage = 400
    /// How far the choice of term counts a term's entries: past this, with the next terms joined, any term is broad
    /// enough (counting to 5,000 took longer than the walk it chose).
    static let probeLimit = 1_000
    /// How many of the query's terms are walked together; the listing checks the rest.
    static let joinedTerms = 3

    /// A page of ids in the query's order, and one more when another page follows.
    static func ids(_ query: Query, today: LocalDate, limit: Int = pageSize + 1, on db: any Database) async throws
        -> [Int] {
        let sql = db as! any SQLDatabase
        let text = query.text
        let terms = try await byRarity(ListingTerms.candidates(text: text, category: query.categoryFilter,
                                                                region: query.regionFilter, mark: query.markFilter),
                                       on: sql)
        let joined = terms.prefix(joinedTerms).dropFirst()
        // The listing is checked per entry, in the walk's order: PostgreSQL turns an EXISTS into a join (dropping a
        // LIMIT) and then read every listing for a name's LIKE whenever it thought the term rare; OFFSET 0 fences it.
        // Named by the last joined entry, SQLite checks it only on entries that every joined term has.
        let last = joined.isEmpty ? "t" : "u\(joined.count - 1)"
        var listing: SQLQueryString = """
            SELECT 1 FROM catalogue_listings o WHERE o.offer_id = \(unsafeRaw: last).offer_id AND \(shown(today))
            """
        if !text.isEmpty { listing += " AND o.name_key LIKE \(bind: "%" + escapeLike(text) + "%") ESCAPE '!'" }
        if let c = query.categoryFilter { listing += " AND o.category = \(bind: c.rawValue)" }
        if let r = query.regionFilter { listing += " AND o.region_code LIKE \(bind: r.subtreePrefix + "%")" }
        if let m = query.markFilter { listing += " AND o.marks LIKE \(bind: "%," + m.rawValue + ",%")" }
        var s: SQLQueryString = """
            SELECT t.offer_id AS id FROM listing_terms t\(joins(joined, in: query.order))
            WHERE t.term = \(bind: terms[0]) AND EXISTS (\(listing) LIMIT 1 OFFSET 0)
            """
        if query.order == .newest {
            // Ends the backward walk at the first stale entry; in price order it would lead the planner off the
            // price index.
            s += " AND t.updated_on > \(bind: Freshness.freshSince(today).description)"
        }
        let offset = (query.pageNumber - 1) * pageSize
        s += " ORDER BY \(unsafeRaw: query.order.sql) LIMIT \(literal: limit) OFFSET \(literal: offset)"
        return try await sql.raw(s).all(decodingColumn: "id", as: Int.self)
    }

    /// The walked entries `t` that other terms have too, matched in the walk's order. Two broad terms rarely meet (a
    /// township's offers with a mark): checking the listing of each entry of one read thousands a page.
    static func joins(_ terms: ArraySlice<String>, in order: Order) -> SQLQueryString {
        var s: SQLQueryString = ""
        for (i, term) in terms.enumerated() {
            let u = "u\(i)", key = order.column
            s += """
                 JOIN listing_terms \(unsafeRaw: u) ON \(unsafeRaw: u).term = \(bind: term)
                AND \(unsafeRaw: u).\(unsafeRaw: key) = t.\(unsafeRaw: key) AND \(unsafeRaw: u).offer_id = t.offer_id
                """
        }
        return s
    }

    /// Whether the offer is in the public catalogue today.
    static func isListed(_ id: Int, today: LocalDate, on db: any Database) async throws -> Bool {
        let s: SQLQueryString = """
            SELECT o.offer_id AS id FROM catalogue_listings o WHERE o.offer_id = \(bind: id) AND \(shown(today))
            """
        return try await (db as! any SQLDatabase).raw(s).first() != nil
    }

    /// What the listing `o` must still be today: the sweep may not have dropped it yet.
    static func shown(_ today: LocalDate) -> SQLQueryString {
        """
        o.valid_until > \(bind: today.description) AND o.updated_on > \(bind: Freshness.freshSince(today).description)
        AND \(Blacklist.notListed(today))
        """
    }

    /// The terms, fewest entries first, each counted up to `probeLimit` (equals in the order given); never empty.
    static func byRarity(_ terms: [String], on sql: any SQLDatabase) async throws -> [String] {
        let probes = Array(terms.prefix(8))
        guard probes.count > 1 else { return [probes.first ?? ListingTerms.everything] }
        var s: SQLQueryString = ""
        for (i, term) in probes.enumerated() {
            if i > 0 { s += " UNION ALL " }
            s += """
                SELECT \(literal: i) AS i, COUNT(*) AS n FROM (SELECT 1 AS one FROM listing_terms
                WHERE term = \(bind: term) LIMIT \(literal: probeLimit)) p\(unsafeRaw: String(i))
                """
        }
        struct Count: Decodable { let i: Int; let n: Int }
        let counts = try await sql.raw(s).all(decoding: Count.self)
        let order = counts.sorted { ($0.n, $0.i) < ($1.n, $1.i) }.map(\.i).filter(probes.indices.contains)
        return order.isEmpty ? probes : order.map { probes[$0] }
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
        /// The first photo, for a list's tile.
        var thumbnail: String? = nil
    }

    /// The columns a public item shows, read in one statement with its supplier and certificate: Fluent's
    /// reflection over whole models was most of a search's time under load.
    struct Listed: Decodable {
        let id: Int, regionCode: String, supplierId: Int?, sellerMasked: String, category: String, variety: String
        let quantityThousandths: Int64, quantityUnit: String, priceFen: Int64, priceUnit: String?
        let supplyMethod: String, shopUrl: String?, contactName: String, contactPhone: String, qualityMarks: String
        let linkedHouseholds: Int?, note: String?, updatedOn: String
        let supplierKind: String?, supplierName: String?, certificateNo: String?, validUntil: String?

        /// The columns' own names: converting every key of every row from snake case cost a fifth of a search.
        enum CodingKeys: String, CodingKey {
            case id, regionCode = "region_code", supplierId = "supplier_id", sellerMasked = "seller_masked"
            case category, variety, quantityThousandths = "quantity_thousandths", quantityUnit = "quantity_unit"
            case priceFen = "price_fen", priceUnit = "price_unit", supplyMethod = "supply_method", shopUrl = "shop_url"
            case contactName = "contact_name", contactPhone = "contact_phone", qualityMarks = "quality_marks"
            case linkedHouseholds = "linked_households", note, updatedOn = "updated_on", supplierKind = "supplier_kind"
            case supplierName = "supplier_name", certificateNo = "certificate_no", validUntil = "valid_until"
        }

        /// The offer as the model it is read from elsewhere, for the one DTO every route shows.
        var offer: Offer {
            let o = Offer()
            o.id = id; o.regionCode = regionCode; o.$supplier.id = supplierId; o.sellerMasked = sellerMasked
            o.category = category; o.variety = variety; o.quantityThousandths = quantityThousandths
            o.quantityUnit = quantityUnit; o.priceFen = priceFen; o.priceUnit = priceUnit; o.supplyMethod = supplyMethod
            o.shopURL = shopUrl; o.contactName = contactName; o.contactPhone = contactPhone
            o.qualityMarks = qualityMarks; o.linkedHouseholds = linkedHouseholds; o.note = note; o.updatedOn = updatedOn
            return o
        }
    }

    static func items(_ ids: [Int], req: Request, on db: any Database) async throws -> [Item] {
        guard !ids.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT o.id, o.region_code, o.supplier_id, o.seller_masked, o.category, o.variety, o.quantity_thousandths,
            o.quantity_unit, o.price_fen, o.price_unit, o.supply_method, o.shop_url, o.contact_name, o.contact_phone,
            o.quality_marks, o.linked_households, o.note, o.updated_on, s.kind AS supplier_kind,
            s.name AS supplier_name, a.certificate_no, a.valid_until FROM offers o
            LEFT JOIN suppliers s ON s.id = o.supplier_id
            LEFT JOIN product_applications a ON a.offer_id = o.id AND a.state = 'certified'
            WHERE o.id IN (\(binds: ids)) ORDER BY COALESCE(a.valid_until, '')
            """).all(decoding: Listed.self)
        // The latest certificate of an offer certified more than once.
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { _, later in later })
        let names = try await RegionNames.places(for: rows.map(\.regionCode), on: db)
        let photos = try await photoIDs(of: ids, on: sql)
        let today = req.today
        return ids.compactMap { id in
            guard let r = byID[id] else { return nil }
            let supplier = r.supplierKind == SupplierKind.household.rawValue ? nil : r.supplierName
            var offer = OfferDTO(r.offer, today: today)
            offer.note = r.note.map(Mask.numbers)
            let urls = (photos[id] ?? []).map { SiteURL.photo.path(id: $0) }
            return Item(offer: offer, place: names[r.regionCode] ?? r.regionCode, certificateNo: r.certificateNo,
                        validUntil: r.validUntil, supplierName: supplier, photos: urls, thumbnail: urls.first)
        }
    }

    /// Each offer's photos, oldest first.
    static func photoIDs(of ids: [Int], on sql: any SQLDatabase) async throws -> [Int: [Int]] {
        let rows = try await sql.select().columns("id", "entity_id").from(Attachment.schema)
            .where("entity", .equal, "offer").where("entity_id", .in, ids).orderBy("id").all()
        var photos: [Int: [Int]] = [:]
        for row in rows {
            photos[try row.decode(column: "entity_id", as: Int.self), default: []]
                .append(try row.decode(column: "id", as: Int.self))
        }
        return photos
    }
}

enum PublicController {
    struct SearchPage: Encodable {
        let shell: Shell; let query: CatalogueSearch.Query; let items: [CatalogueSearch.Item]
        let categories: [FormPage.Option]; let marks: [FormPage.Option]; let places: [FormPage.Option]
        let orders: [FormPage.Option]; let page: Int; let previous: String?; let next: String?
    }

    /// One page of the public catalogue, and whether another follows.
    static func search(_ req: Request) async throws
        -> (query: CatalogueSearch.Query, items: [CatalogueSearch.Item], more: Bool) {
        let query = try req.query.decode(CatalogueSearch.Query.self)
        let db = try await req.replica()
        let ids = try await CatalogueSearch.ids(query, today: req.today, on: db)
        let items = try await CatalogueSearch.items(Array(ids.prefix(CatalogueSearch.pageSize)), req: req, on: db)
        return (query, items, ids.count > CatalogueSearch.pageSize)
    }

    @Sendable static func catalogue(req: Request) async throws -> Response {
        let query = try req.query.decode(CatalogueSearch.Query.self)
        guard req.currentUser == nil else { return try await cataloguePage(req).encodeResponse(for: req) }
        return try await req.application.publicCache.response(for: "page \(req.today) \(query.cacheKey)") {
            try await cataloguePage(req).encodeResponse(for: req)
        }
    }

    static func cataloguePage(_ req: Request) async throws -> View {
        let (query, items, more) = try await search(req)
        func link(_ page: Int) -> String {
            var c = URLComponents()
            c.path = SiteURL.catalogue.path
            c.queryItems = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "page" }
                + [.init(name: "page", value: String(page))]
            return c.string ?? SiteURL.catalogue.path
        }
        let page = query.pageNumber
        return try await req.view.render("public/catalogue", SearchPage(
            shell: Shell(req), query: query, items: items, categories: ProductCategory.options,
            marks: QualityMark.options, places: try await placesWithOffers(req),
            orders: CatalogueSearch.Order.allCases.map { .init(value: $0.rawValue, label: $0.chineseName) },
            page: page, previous: page > 1 ? link(page - 1) : nil, next: more ? link(page + 1) : nil))
    }

    /// Counties and townships, by name, for the region picker (codes stay in the links and the API).
    static func placesWithOffers(_ req: Request) async throws -> [FormPage.Option] {
        let codes = try await Region.query(on: req.db).filter(\.$level >= RegionCode.Level.county.rawValue)
            .filter(\.$level <= RegionCode.Level.township.rawValue).sort(\.$id).limit(Pickers.placeLimit).all()
            .compactMap(\.id)
        let names = try await RegionNames.places(for: codes, on: req.db)
        return codes.map { .init(value: $0, label: names[$0] ?? $0) }
    }

    @Sendable static func apiCatalogue(req: Request) async throws -> Response {
        let query = try req.query.decode(CatalogueSearch.Query.self)
        return try await req.application.publicCache.response(for: "api \(req.today) \(query.cacheKey)") {
            try await search(req).items.encodeResponse(for: req)
        }
    }

    struct ItemPage: Encodable {
        let shell: Shell; let item: CatalogueSearch.Item
        /// For a signed-in unit (or its lead unit, or an office): the form that orders this product.
        var order: OrderForm? = nil
        var error: String? = nil
    }
    struct OrderForm: Encodable { let units: [FormPage.Option]; let ownUnit: Bool; let key: String }

    /// A product page exists only while the product is in the public catalogue.
    static func itemPage(_ req: Request, id: Int?, error: String? = nil) async throws -> ItemPage {
        guard let id else { throw APIError.notFound("产品") }
        guard try await CatalogueSearch.isListed(id, today: req.today, on: req.db),
              let item = try await CatalogueSearch.items([id], req: req, on: try await req.replica()).first else {
            throw APIError.notFound("产品")
        }
        var page = ItemPage(shell: Shell(req), item: item, error: error)
        if let scope = req.scope(for: .placeOrders) {
            let own = if case .buyerUnit = scope { true } else { false }
            let units = try await BuyerUnit.query(on: req.db).scoped(by: scope).sort(\.$name).limit(2_000).all()
            page.order = OrderForm(units: units.map { .init(value: String($0.id!), label: $0.name) }, ownUnit: own,
                                   key: UUID().uuidString)
        }
        return page
    }

    @Sendable static func item(req: Request) async throws -> View {
        try await req.view.render("public/item", try await itemPage(req, id: req.parameters.get("id", as: Int.self)))
    }

    static let publicityPageSize = 100

    /// 公示: applications in their objection window, the first to close first, a page at a time (through the
    /// (state, publicity_ends) index), with the last day to object.
    static func publicity(_ req: Request) async throws -> [ApplicationDTO] {
        let page = publicityPageNumber(req)
        let today = req.today
        return try await ProductApplication.query(on: req.db)
            .filter(\.$state == CertificationState.inPublicity.rawValue)
            .sort(\.$publicityEnds).sort(\.$id)
            .range(((page - 1) * publicityPageSize)..<(page * publicityPageSize))
            .all().map { ApplicationDTO($0, today: today) }
    }

    /// 1-based, bounded as the catalogue's pages are.
    static func publicityPageNumber(_ req: Request) -> Int {
        min(max((try? req.query.get(Int.self, at: "page")) ?? 1, 1), CatalogueSearch.maxPage)
    }

    struct PublicityRow: Encodable { let application: ApplicationDTO; let place: String }
    struct PublicityPage: Encodable { let shell: Shell; let rows: [PublicityRow]; let next: String? }

    @Sendable static func publicityPage(req: Request) async throws -> View {
        let rows = try await publicity(req)
        let names = try await RegionNames.places(for: rows.map(\.regionCode), on: req.db)
        let page = publicityPageNumber(req)
        let more = rows.count == publicityPageSize && page < CatalogueSearch.maxPage
        let next = more ? SiteURL.publicity.path + "?page=\(page + 1)" : nil
        return try await req.view.render("public/publicity", PublicityPage(
            shell: Shell(req), rows: rows.map { .init(application: $0, place: names[$0.regionCode] ?? $0.regionCode) },
            next: next))
    }

    @Sendable static func apiPublicity(req: Request) async throws -> [ApplicationDTO] { try await publicity(req) }
}
