import BangfuKit
import Fluent
import Foundation

/// The demo's price monitoring: 土豆 and 云阳红橙 watched by the county, three years of weekly 地头价 from 龙角镇 and
/// 泥溪镇 and a wholesale series, with 土豆 falling well below its usual price these last three weeks — judged by the
/// weekly run, and the warning it raised published.
enum DemoPrices {
    static func load(on db: any Database, today: LocalDate) async throws {
        let origin = Audit.Origin.command("seed-demo")
        let potato = try await product("土豆", ["马铃薯", "洋芋"], .vegetable, 7, 12, on: db)
        let orange = try await product("云阳红橙", ["红橙"], .fruit, 11, 3, on: db)
        let now = MarketWeek(today)
        var keys = Set<PriceSeries.Key>()
        for (p, base) in [(potato, 150.0), (orange, 420.0)] {
            for back in 0..<156 {
                let week = now.adding(weeks: -back)
                let wave = 1 + 0.15 * sin(2 * Double.pi * Double(week.number) / 52)
                let dip = p === potato && back < 3 ? 0.62 : 1.0
                for (town, shift, source) in [(DemoData.longjiao, 1.0, PriceSource.farm),
                                              (DemoData.nixi, 0.96, .farm), (DemoData.county, 1.35, .wholesale)] {
                    let jin = base * wave * dip * shift * (1 + 0.01 * Double((week.number * 7 + back) % 5 - 2))
                    let point = PricePoint()
                    point.$product.id = p.id!; point.regionCode = town; point.week = week.key
                    point.reportedOn = week.monday.description; point.source = source.rawValue
                    point.market = source == .wholesale ? "云阳县农产品批发市场" : ""
                    point.priceFen = Int64((jin * 2).rounded())
                    point.quoted = String(format: "%.2f元/斤", jin / 100)
                    point.reporter = "演示数据"; point.outlier = false
                    try await point.create(on: db)
                    keys.insert(.init(product: p.id!, region: town, source: source.rawValue, week: week.key))
                }
            }
        }
        try await PriceSeries.refresh(keys, on: db)
        _ = try await WarningRun.judge(products: [potato, orange], today: today, origin: origin, on: db)
        let raised = try await PriceWarning.query(on: db).filter(\.$status == PriceWarning.draft)
            .filter(\.$source == PriceSource.farm.rawValue).filter(\.$regionCode == DemoData.longjiao).all()
        for w in raised {
            w.status = PriceWarning.published
            w.publishedBy = "云阳县乡村振兴局（演示）"
            w.publishedAt = Date()
            try await w.save(on: db)
        }
    }

    static func product(_ name: String, _ aliases: [String], _ category: ProductCategory, _ from: Int, _ to: Int,
                        on db: any Database) async throws -> MonitoredProduct {
        let p = MonitoredProduct()
        p.jurisdictionCode = DemoData.county; p.name = name; p.category = category.rawValue; p.unit = "斤"
        p.seasonFrom = from; p.seasonTo = to; p.varietiesText = ([name] + aliases).joined(separator: ",")
        try await p.create(on: db)
        return p
    }
}
