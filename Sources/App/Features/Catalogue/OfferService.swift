import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The one path by which offers are written — form, API and import alike: validate into a draft,
/// then create, update or leave unchanged, with search terms and the audit line in the same transaction.
enum OfferService {
    struct Draft {
        let region: RegionCode
        let supplierID: Int?
        let seller: String
        let category: ProductCategory
        let variety: String
        let quantity: Quantity
        let price: UnitPrice
        let method: SupplyMethod
        let shopURL: String?
        let contactName: String
        let contactPhone: String
        let marks: [QualityMark]
        let linkedHouseholds: Int?
        let note: String?
    }

    /// What the audit trail keeps of an offer: no personal data in clear.
    struct Snapshot: Codable, Equatable {
        let region: String, supplierID: Int?, seller: String, category: String, variety: String, quantity: String
        let priceFen: Int64, priceUnit: String?, method: String, shopURL: String?, contactName: String
        let contactPhone: String, marks: String, linkedHouseholds: Int?, note: String?

        init(_ o: Offer) {
            region = o.regionCode; supplierID = o.$supplier.id; seller = o.sellerMasked; category = o.category
            variety = o.variety; quantity = o.quantity.description; priceFen = o.priceFen; priceUnit = o.priceUnit
            method = o.supplyMethod; shopURL = o.shopURL; contactName = Mask.name(o.contactName)
            contactPhone = Mask.phone(o.contactPhone); marks = o.qualityMarks
            linkedHouseholds = o.linkedHouseholds; note = o.note
        }
    }

    enum Change { case created, updated, unchanged }

    static func draft(_ input: OfferInput, scope: Scope, on db: any Database, today: LocalDate) async throws -> Draft {
        var supplierID = input.supplierId
        var regionScope = scope
        if case .supplier(let own) = scope {
            guard supplierID == nil || supplierID == own else {
                throw FieldError(field: "supplierId", code: "out_of_scope", message: "只能为本主体登记产品")
            }
            supplierID = own
            let me = try await Supplier.find(own, on: db)!
            regionScope = .region(RegionCode(me.regionCode)!)
        }
        let region = try await Guard.region(input.regionCode, scope: regionScope, on: db)
        if let sid = supplierID {
            guard let s = try await Supplier.find(sid, on: db),
                  regionScope.covers(region: s.regionCode) || scope == .everything
            else {
                throw FieldError.invalid("supplierId", "供给主体")
            }
            try await Blacklist.refuseIfListed(sid, on: db, today: today)
        }
        let variety = try FormValue.text(input.variety, "variety", "产品品种", max: 50)
        guard let quantity = Quantity.parse(input.quantity ?? "") else {
            throw FieldError.invalid("quantity", "计划销量", "应为正数加单位，如“30斤”")
        }
        guard let price = UnitPrice.parse(input.price ?? "") else {
            throw FieldError.invalid("price", "销售价格", "应为金额，如“3元/斤”")
        }
        let shop = try FormValue.optionalText(input.shopURL, "shopURL", "网店网址")
        if let shop, !(shop.hasPrefix("http://") || shop.hasPrefix("https://")) {
            throw FieldError.invalid("shopURL", "网店网址", "应以 http:// 或 https:// 开头")
        }
        guard let phone = try FormValue.phone(input.contactPhone, "contactPhone") else {
            throw FieldError.required("contactPhone", "联系电话")
        }
        var marks: [QualityMark] = []
        for m in input.qualityMarks ?? [] {
            guard let mark = QualityMark(codeOrName: m) else { throw FieldError.invalid("qualityMarks", "质量标识") }
            marks.append(mark)
        }
        let category = try input.category.map { (try FormValue.choice($0, "category", "品类")) as ProductCategory }
        return Draft(region: region, supplierID: supplierID,
                     seller: try FormValue.text(input.sellerName, "sellerName", "贫困户（合作社）名称", max: 50),
                     category: category ?? ProductCategory.guess(for: variety), variety: variety,
                     quantity: quantity, price: price,
                     method: try FormValue.choice(input.supplyMethod, "supplyMethod", "供货方式"),
                     shopURL: shop,
                     contactName: try FormValue.text(input.contactName, "contactName", "供货联系人", max: 20),
                     contactPhone: phone, marks: marks, linkedHouseholds: input.linkedHouseholds,
                     note: try FormValue.optionalText(input.note, "note", "备注"))
    }

    /// Writes a draft: into `target` when editing, else into the offer with the same key, else a new one.
    @discardableResult
    static func save(_ d: Draft, target: Offer? = nil, source: String, origin: Audit.Origin, cipher: FieldCipher,
                     today: LocalDate, on db: any Database) async throws -> (Offer, Change) {
        let key = Self.key(d, cipher: cipher)
        let sameKey = try await Offer.query(on: db).filter(\.$offerKey == key).first()
        if let target, let other = sameKey, other.id != target.id {
            throw APIError.conflict("variety", "该地区已登记同一户的“\(d.variety)”（编号 \(other.id!)）")
        }
        let offer = target ?? sameKey ?? Offer()
        let before = offer.id == nil ? nil : Snapshot(offer)
        let households = try await isHouseholds(d, on: db)
        guard try apply(d, to: offer, key: key, households: households, cipher: cipher) else {
            return (offer, .unchanged)
        }
        offer.updatedOn = today.description
        offer.source = offer.id == nil ? source : offer.source
        try await offer.save(on: db)
        try await OfferFlags.refresh(on: db, ids: [offer.id!])
        try await CatalogueListings.sync([offer.id!], today: today, on: db)
        try await Audit.record(origin, on: db, action: before == nil ? "create" : "update", entity: "offer",
                               id: offer.id,
                               region: offer.regionCode, before: before, after: Snapshot(offer))
        return (offer, before == nil ? .created : .updated)
    }

    /// The same household's or cooperative's same variety in the same place: what a re-import finds again.
    static func key(_ d: Draft, cipher: FieldCipher) -> String {
        cipher.lookupHash(joining: [d.region.digits, d.seller, d.variety], by: "|")
    }

    /// The seller's key as the ledger keeps it (`Offer.sellerKey`).
    static func sellerKey(_ d: Draft, cipher: FieldCipher) -> String {
        cipher.lookupHash(joining: [d.region.digits, d.seller], by: "|")
    }

    /// A keyed hash of everything the line says (personal data included, so keyed): equal for an unchanged line.
    static func fingerprint(_ d: Draft, households: Bool, cipher: FieldCipher) -> String {
        let fields: [String] = [
            d.region.digits, d.supplierID.map(String.init) ?? "", d.seller, d.category.rawValue, d.variety,
            String(d.quantity.thousandths), d.quantity.unit, String(d.price.fen.value), d.price.unit ?? "",
            d.method.rawValue, d.shopURL ?? "", d.contactName, d.contactPhone,
            d.marks.map(\.rawValue).joined(separator: ","),
            d.linkedHouseholds.map(String.init) ?? "", d.note ?? "", households ? "1" : "0",
        ]
        return cipher.lookupHash(joining: fields, by: "\u{1F}")
    }

    /// Fills `offer` from the draft (sealing what is personal); whether anything it keeps changed.
    static func apply(_ d: Draft, to offer: Offer, key: String, households: Bool, cipher: FieldCipher) throws -> Bool {
        offer.contentHash = fingerprint(d, households: households, cipher: cipher)
        let before = offer.id == nil ? nil : Snapshot(offer)
        let contactBefore = offer.id == nil ? nil : try offer.contact(opened: cipher)
        offer.offerKey = key
        offer.sellerKey = sellerKey(d, cipher: cipher)
        offer.regionCode = d.region.digits; offer.$supplier.id = d.supplierID
        // A new offer's fields are not set yet: read only a kept one's.
        let sellerKept = before != nil && offer.sellerMasked == Mask.name(d.seller)
            && (try? cipher.open(offer.sellerSealed)) == d.seller
        if !sellerKept {
            offer.sellerSealed = try cipher.seal(d.seller); offer.sellerMasked = Mask.name(d.seller)
        }
        offer.category = d.category.rawValue; offer.variety = d.variety
        offer.quantityThousandths = d.quantity.thousandths; offer.quantityUnit = d.quantity.unit
        offer.priceFen = d.price.fen.value; offer.priceUnit = d.price.unit
        offer.supplyMethod = d.method.rawValue; offer.shopURL = d.shopURL
        let contact = ContactLine(name: d.contactName, phone: d.contactPhone)
        try offer.setContact(contact, household: households, cipher: cipher)
        offer.qualityMarks = d.marks.map(\.rawValue).joined(separator: ",")
        offer.linkedHouseholds = d.linkedHouseholds; offer.note = d.note
        return before == nil || before != Snapshot(offer) || contactBefore != contact
    }

    /// Whose line this is: the supplier's kind when there is one, else whether the seller names an organisation.
    static func isHouseholds(_ d: Draft, on db: any Database) async throws -> Bool {
        isHouseholds(d, householdSuppliers: try await householdSuppliers(Set(d.supplierID.map { [$0] } ?? []), on: db))
    }

    /// A supplier's kind says whether it is a household; a seller named without one, the name.
    static func isHouseholds(_ d: Draft, householdSuppliers: Set<Int>) -> Bool {
        guard let id = d.supplierID else { return !SellerName.isOrganisation(d.seller) }
        return householdSuppliers.contains(id)
    }

    /// Those of `ids` that are households' suppliers, asked 1,000 at a time (the databases bound parameters).
    static func householdSuppliers(_ ids: Set<Int>, on db: any Database) async throws -> Set<Int> {
        var households: Set<Int> = []
        for chunk in Array(ids).chunked(1_000) {
            let found = try await Supplier.query(on: db)
                .filter(\.$id ~~ Array(chunk))
                .filter(\.$kind == SupplierKind.household.rawValue)
                .all()
            households.formUnion(found.compactMap(\.id))
        }
        return households
    }
}
