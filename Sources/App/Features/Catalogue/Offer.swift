import BangfuKit
import Fluent

/// One line of the 待销/供应目录: what a household or cooperative has to sell, at what price, how.
final class Offer: Model, @unchecked Sendable {
    static let schema = "offers"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "region_code") var regionCode: String
    @OptionalParent(key: "supplier_id") var supplier: Supplier?
    /// The household or cooperative named on the form: sealed, with a mask for display.
    @Field(key: "seller_sealed") var sellerSealed: String
    @Field(key: "seller_masked") var sellerMasked: String
    /// Keyed hash of region|seller|variety: the same line re-imported updates, never duplicates.
    @Field(key: "offer_key") var offerKey: String
    /// The seller's key as the ledger keeps it: its rows are set against what it offered.
    @Field(key: "seller_key") var sellerKey: String
    @Field(key: "category") var category: String
    @Field(key: "variety") var variety: String
    @Field(key: "quantity_thousandths") var quantityThousandths: Int64
    @Field(key: "quantity_unit") var quantityUnit: String
    /// What confirmed orders hold of the stock, until they are accepted or cancelled.
    @Field(key: "reserved_thousandths") var reservedThousandths: Int64
    /// Its place or a place above it is 原深度贫困 (`OfferFlags`).
    @Field(key: "deep_poverty") var deepPoverty: Bool
    @Field(key: "price_fen") var priceFen: Int64
    @OptionalField(key: "price_unit") var priceUnit: String?
    @Field(key: "supply_method") var supplyMethod: String
    @OptionalField(key: "shop_url") var shopURL: String?
    /// An organisation's contact line in clear; a household's as masks, with the line itself in `contactSealed`.
    @Field(key: "contact_name") var contactName: String
    @Field(key: "contact_phone") var contactPhone: String
    @OptionalField(key: "contact_sealed") var contactSealed: String?
    @Field(key: "quality_marks") var qualityMarks: String   // comma-separated QualityMark codes
    @OptionalField(key: "linked_households") var linkedHouseholds: Int?
    @OptionalField(key: "note") var note: String?
    @Field(key: "updated_on") var updatedOn: String          // LocalDate in Shanghai: freshness
    @Field(key: "source") var source: String                 // form / import / api
    /// Keyed hash of the line as last written (`OfferService.fingerprint`): an unchanged re-import is found by it.
    @OptionalField(key: "content_hash") var contentHash: String?

    init() { (reservedThousandths, deepPoverty) = (0, false) }

    var quantity: Quantity { Quantity(thousandths: quantityThousandths, unit: quantityUnit) }
    /// What is left to order: the stock less what confirmed orders hold.
    var available: Quantity {
        Quantity(thousandths: OrderFlow.available(stock: quantityThousandths, reserved: reservedThousandths),
                 unit: quantityUnit)
    }
    var price: UnitPrice { UnitPrice(fen: Fen(priceFen), unit: priceUnit) }
    var marks: [QualityMark] { qualityMarks.split(separator: ",").compactMap { QualityMark(rawValue: String($0)) } }
}
