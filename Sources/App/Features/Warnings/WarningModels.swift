import BangfuKit
import Fluent
import Foundation
import Vapor

/// A jurisdiction's warning rules (`WarningRules` as JSON); the nearest region's hold.
final class WarningRulesRecord: Model, @unchecked Sendable {
    static let schema = "warning_rules"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "rules") var json: String

    init() {}

    var rules: WarningRules {
        (try? JSONDecoder().decode(WarningRules.self, from: Data(json.utf8))) ?? WarningRules()
    }
}

/// A warning on one price series, from the week it rose to the week it was released; its weeks' levels and figures
/// are the series' own (`price_weeks`). The office reviews and publishes it; only published warnings reach notices
/// and the public page.
final class PriceWarning: Model, @unchecked Sendable {
    static let schema = "price_warnings"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "product_id") var product: MonitoredProduct
    @Field(key: "jurisdiction_code") var jurisdictionCode: String
    @Field(key: "region_code") var regionCode: String
    @Field(key: "source") var source: String
    @Field(key: "level") var level: Int
    /// draft (raised, awaiting review), published, released.
    @Field(key: "status") var status: String
    @Field(key: "started_week") var startedWeek: Int
    @Field(key: "last_week") var lastWeek: Int
    @Field(key: "figures") var figures: String
    @OptionalField(key: "published_by") var publishedBy: String?
    @OptionalField(key: "published_at") var publishedAt: Date?
    @OptionalField(key: "released_week") var releasedWeek: Int?
    /// Released by an office's hand, not by the prices: the episode it was raised for does not raise it again.
    @Field(key: "released_by_office") var releasedByOffice: Bool

    init() { releasedByOffice = false }

    /// A week of its history, read from its series' judged weeks (`price_weeks`), never kept twice.
    struct History: Content, Equatable {
        let week: String, level: Int, levelName: String, event: String, figures: [String]
    }

    static let draft = "draft", published = "published", released = "released"
}
