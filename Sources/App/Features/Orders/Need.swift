import BangfuKit
import Fluent

/// 采购需求: what a buyer unit asks the catalogue for — a variety, a quantity, a delivery window and place, a price
/// ceiling — once, or standing (长期供货: every so many days through the window).
final class Need: Model, @unchecked Sendable {
    static let schema = "needs"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "buyer_unit_id") var buyerUnit: BuyerUnit
    @Field(key: "buyer_region_code") var buyerRegionCode: String     // denormalised for scoping
    @OptionalField(key: "buyer_system_id") var buyerSystemID: Int?
    @Field(key: "variety") var variety: String
    @Field(key: "quantity_thousandths") var quantityThousandths: Int64
    @Field(key: "quantity_unit") var quantityUnit: String
    @OptionalField(key: "price_ceiling_fen") var priceCeilingFen: Int64?
    @Field(key: "certified_only") var certifiedOnly: Bool
    @Field(key: "marks") var qualityMarks: String          // wished-for QualityMark codes, comma-separated
    @Field(key: "purpose") var purpose: String             // PurchasePurpose: what its orders are booked as
    @Field(key: "delivery_region_code") var deliveryRegionCode: String
    @Field(key: "delivery_address") var deliveryAddress: String
    @Field(key: "window_from") var windowFrom: String
    @Field(key: "window_to") var windowTo: String
    /// A standing need delivers every so many days through its window; nil for a single delivery.
    @OptionalField(key: "every_days") var everyDays: Int?
    @Field(key: "state") var state: String                           // open, closed
    @Field(key: "posted_by") var postedBy: String

    init() {}

    var marks: Set<QualityMark> {
        Set(qualityMarks.split(separator: ",").compactMap { QualityMark(rawValue: String($0)) })
    }
    var quantity: Quantity { Quantity(thousandths: quantityThousandths, unit: quantityUnit) }
}

extension Need: Scoped {
    static func restrict(_ q: QueryBuilder<Need>, to scope: Scope) -> QueryBuilder<Need>? {
        switch scope {
        case .region(let r): q.filter(\.$buyerRegionCode =~ r.subtreePrefix)
        case .system(let id): q.filter(\.$buyerSystemID == id)
        case .buyerUnit(let id): q.filter(\.$buyerUnit.$id == id)
        default: nil
        }
    }
}
