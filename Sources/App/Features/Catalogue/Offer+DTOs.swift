import BangfuKit
import Vapor

struct OfferInput: FormInput {
    static let pickers: [String: Picker] = ["regionCode": .place, "supplierId": .supplier]
    var regionCode: String?
    var sellerName: String?
    var supplierId: Int?
    var category: String?
    var variety: String?
    @NumberOrText var quantity: String?
    @NumberOrText var price: String?
    var supplyMethod: String?
    var shopURL: String?
    var contactName: String?
    var contactPhone: String?
    var qualityMarks: [String]?
    var linkedHouseholds: Int?
    var note: String?

    init(form f: [String: String]) throws {
        regionCode = f.text("regionCode"); sellerName = f.text("sellerName"); supplierId = f.int("supplierId")
        category = f.text("category"); variety = f.text("variety"); quantity = f.text("quantity"); price = f.text("price")
        supplyMethod = f.text("supplyMethod"); shopURL = f.text("shopURL"); contactName = f.text("contactName")
        contactPhone = f.text("contactPhone"); note = f.text("note")
        qualityMarks = QualityMark.allCases.map(\.rawValue).filter { f.flag("mark_\($0)") }
        if let n = f.text("linkedHouseholds") {
            guard let v = Int(n), v >= 0 else { throw FieldError.invalid("linkedHouseholds", "带动脱贫户数") }
            linkedHouseholds = v
        }
    }
}

struct OfferDTO: Content {
    let id: Int
    let regionCode: String
    let supplierId: Int?
    let seller: String
    let category: String
    let categoryName: String
    let variety: String
    let quantity: String
    let price: String
    let priceFen: Int64
    let priceUnit: String?
    let supplyMethod: String
    let supplyMethodName: String
    let shopURL: String?
    let contactName: String
    let contactPhone: String
    let qualityMarks: [String]
    let qualityMarkNames: [String]
    let linkedHouseholds: Int?
    var note: String?
    let updatedOn: String
    let stale: Bool

    init(_ o: Offer, today: LocalDate, seller: String? = nil) {
        id = o.id!; regionCode = o.regionCode; supplierId = o.$supplier.id; self.seller = seller ?? o.sellerMasked
        category = o.category; categoryName = ProductCategory(rawValue: o.category)?.chineseName ?? o.category
        variety = o.variety; quantity = o.quantity.description; price = o.price.description
        priceFen = o.priceFen; priceUnit = o.priceUnit
        supplyMethod = o.supplyMethod; supplyMethodName = SupplyMethod(rawValue: o.supplyMethod)?.chineseName ?? o.supplyMethod
        shopURL = o.shopURL; contactName = o.contactName; contactPhone = o.contactPhone
        qualityMarks = o.marks.map(\.rawValue); qualityMarkNames = o.marks.map(\.chineseName)
        linkedHouseholds = o.linkedHouseholds; note = o.note; updatedOn = o.updatedOn
        stale = LocalDate(o.updatedOn).map { Freshness.isStale(updated: $0, today: today) } ?? true
    }
}

struct ImportReport: Content {
    var created = 0, updated = 0, unchanged = 0
    var errors: [RowError] = []
    /// Imported, but worth a look (a cooperative's line without its households), row by row.
    var warnings: [RowError] = []
    var accepted: Bool { errors.isEmpty }
}
