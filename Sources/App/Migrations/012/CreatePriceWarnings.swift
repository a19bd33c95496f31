import Fluent
import SQLKit

/// Issue 16: monitored products, collected prices and their weekly series, warning rules and warnings, emergency
/// campaigns with their invitations, and the campaign a ledger row delivers for.
struct CreatePriceWarnings: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(MonitoredProduct.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("name", .string, .required)
            .field("category", .string, .required)
            .field("unit", .string, .required)
            .field("season_from", .int, .required)
            .field("season_to", .int, .required)
            .field("varieties", .string, .required)
            .unique(on: "jurisdiction_code", "name")
            .create()
        try await db.schema(PricePoint.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("product_id", .int, .required, .references(MonitoredProduct.schema, .id))
            .field("region_code", .string, .required)
            .field("week", .int, .required)
            .field("reported_on", .string, .required)
            .field("source", .string, .required)
            .field("market", .string, .required)
            .field("price_fen", .int64, .required)
            .field("quoted", .string, .required)
            .field("reporter", .string, .required)
            .field("outlier", .bool, .required)
            .unique(on: "product_id", "region_code", "source", "market", "week")
            .create()
        try await db.index("points_by_week", on: PricePoint.schema, "week", "product_id")
        try await db.schema(PriceWeek.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("product_id", .int, .required)
            .field("region_code", .string, .required)
            .field("source", .string, .required)
            .field("week", .int, .required)
            .field("price_fen", .int64, .required)
            .field("points", .int, .required)
            .field("baseline_fen", .int64)
            .field("level", .int, .required)
            .field("state", .string)
            .field("figures", .string)
            .unique(on: "product_id", "region_code", "source", "week")
            .create()
        // The weekly run finds the weeks not yet judged, reads a week's series, then their earlier weeks.
        try await db.index("series_by_week", on: PriceWeek.schema, "week", "product_id")
        try await db.index("series_unjudged", on: PriceWeek.schema, "week", where: "state IS NULL")
        // A week's 成交价: the ledger's rows of the watched varieties in that week, without reading the year.
        try await db.index("purchases_by_variety", on: Purchase.schema, "variety", "purchased_on")
        try await createWarnings(db)
        try await createCampaigns(db)
    }

    func createWarnings(_ db: any Database) async throws {
        try await db.schema(WarningRulesRecord.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("rules", .string, .required)
            .unique(on: "jurisdiction_code")
            .create()
        try await db.schema(PriceWarning.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("product_id", .int, .required, .references(MonitoredProduct.schema, .id))
            .field("jurisdiction_code", .string, .required)
            .field("region_code", .string, .required)
            .field("source", .string, .required)
            .field("level", .int, .required)
            .field("status", .string, .required)
            .field("started_week", .int, .required)
            .field("last_week", .int, .required)
            .field("figures", .string, .required)
            .field("published_by", .string)
            .field("published_at", .datetime)
            .field("released_week", .int)
            .field("released_by_office", .bool, .required, .sql(.default(false)))
            .create()
        // A series has one open warning at most, whoever runs the judgement at the same time.
        try await (db as! any SQLDatabase).raw("""
            CREATE UNIQUE INDEX warnings_open_per_series ON price_warnings (product_id, region_code, source)
            WHERE status <> 'released'
            """).run()
        try await db.index("warnings_by_series", on: PriceWarning.schema, "product_id", "region_code", "source")
        try await db.index("warnings_by_region", on: PriceWarning.schema, "region_code", "status")
    }

    func createCampaigns(_ db: any Database) async throws {
        try await db.schema(Campaign.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("product_id", .int, .required, .references(MonitoredProduct.schema, .id))
            .field("warning_id", .int)
            .field("title", .string, .required)
            .field("origin_region_code", .string, .required)
            .field("quantity_thousandths", .int64, .required)
            .field("floor_fen", .int64, .required)
            .field("deadline", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema(CampaignInvitation.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("campaign_id", .int, .required, .references(Campaign.schema, .id))
            .field("buyer_unit_id", .int, .required, .references(BuyerUnit.schema, .id))
            .field("rank", .int, .required)
            .field("reasons", .string, .required)
            .field("pledged_thousandths", .int64)
            .field("pledged_at", .datetime)
            .field("invited_at", .datetime)
            .unique(on: "campaign_id", "buyer_unit_id")
            .create()
        // SQLite adds one column a statement.
        try await db.schema(Purchase.schema).field("campaign_id", .int).update()
        try await db.schema(Purchase.schema).field("below_floor_reason", .string).update()
        try await db.index("purchases_by_campaign", on: Purchase.schema, "campaign_id",
                           where: "campaign_id IS NOT NULL")
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for index in ["purchases_by_campaign", "purchases_by_variety"] {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: index)").run()
        }
        try await db.schema(Purchase.schema).deleteField("below_floor_reason").update()
        try await db.schema(Purchase.schema).deleteField("campaign_id").update()
        for table in [CampaignInvitation.schema, Campaign.schema, PriceWarning.schema, WarningRulesRecord.schema,
                      PriceWeek.schema, PricePoint.schema, MonitoredProduct.schema] {
            try await db.schema(table).delete()
        }
    }
}
