import BangfuKit
import Fluent

/// A 重点监测品种 of a jurisdiction: its unit, its 上市期, and the catalogue's varieties that are it (土豆 = 马铃薯 =
/// 洋芋), so that offers and ledger rows under any of those names count towards it.
final class MonitoredProduct: Model, @unchecked Sendable {
    static let schema = "monitored_products"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "name") var name: String
    @Field(key: "category") var category: String
    /// The unit prices are shown in (斤, 公斤, 枚); kept in `PriceQuote.baseUnit(of:)`.
    @Field(key: "unit") var unit: String
    @Field(key: "season_from") var seasonFrom: Int
    @Field(key: "season_to") var seasonTo: Int
    /// Its name and every alias, comma-separated.
    @Field(key: "varieties") var varietiesText: String

    init() {}

    var varieties: [String] { varietiesText.split(separator: ",").map(String.init) }
    var season: Season? { Season(fromMonth: seasonFrom, toMonth: seasonTo) }
}

/// Where a price came from.
enum PriceSource: String, ChineseNamed, Codable {
    case farm, wholesale, derived
    var chineseName: String {
        switch self {
        case .farm: "地头价（乡镇采集）"
        case .wholesale: "批发市场价"
        case .derived: "成交价（台账与目录）"
        }
    }
}

/// One collected price: a clerk's weekly 地头价, a wholesale market's quote, or one derived from the ledger and
/// the catalogue. In 分 per the product's base unit, with the quote as written.
final class PricePoint: Model, @unchecked Sendable {
    static let schema = "price_points"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "product_id") var product: MonitoredProduct
    @Field(key: "region_code") var regionCode: String
    @Field(key: "week") var week: Int
    @Field(key: "reported_on") var reportedOn: String
    @Field(key: "source") var source: String
    /// The wholesale market's name; empty for other sources.
    @Field(key: "market") var market: String
    @Field(key: "price_fen") var priceFen: Int64
    @Field(key: "quoted") var quoted: String
    @Field(key: "reporter") var reporter: String
    /// Far from the week's other points of the product: kept and shown, left out of the series' median.
    @Field(key: "outlier") var outlier: Bool

    init() {}
}

/// A series' week: the median of its points, and the judgement the weekly run made of it (`PriceWatch`).
final class PriceWeek: Model, @unchecked Sendable {
    static let schema = "price_weeks"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "product_id") var productID: Int
    @Field(key: "region_code") var regionCode: String
    @Field(key: "source") var source: String
    @Field(key: "week") var week: Int
    @Field(key: "price_fen") var priceFen: Int64
    @Field(key: "points") var points: Int
    @OptionalField(key: "baseline_fen") var baselineFen: Int64?
    @Field(key: "level") var level: Int
    /// `PriceWatch.State` after this week, as JSON; nil until the run has judged the week.
    @OptionalField(key: "state") var state: String?
    /// The figures that raised or kept a warning this week ("；"-separated).
    @OptionalField(key: "figures") var figures: String?

    init() {}
}
