import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The prices the platform already sees (成交价): the week's standing ledger rows of a product's varieties by
/// origin township, and the offers updated that week, brought to the product's base unit; one point per township
/// and week, the median, kept beside the clerks' 地头价 and the markets' series.
enum DerivedPrices {
    struct Sample: Decodable { let region: String, amount: Int64, quantity: Int64, unit: String }

    static func collect(_ products: [MonitoredProduct], week: MarketWeek, within region: RegionCode,
                        req: Request) async throws {
        var keys = Set<PriceSeries.Key>()
        var points: [(MonitoredProduct, String, Int64, Int)] = []
        for p in products {
            let samples = try await ledger(p, week: week, within: region, on: req.db)
                + offers(p, week: week, within: region, on: req.db)
            let byTown = Dictionary(grouping: samples.compactMap { s -> (String, Int64)? in
                guard let price = unitPrice(s, productUnit: p.unit) else { return nil }
                return (PriceSeries.region(of: s.region, source: .derived), price)
            }, by: \.0)
            for (town, prices) in byTown {
                guard let median = PriceWatch.median(prices.map(\.1)) else { continue }
                points.append((p, town, median, prices.count))
                keys.insert(.init(product: p.id!, region: town, source: PriceSource.derived.rawValue, week: week.key))
            }
        }
        guard !points.isEmpty else { return }
        let (found, touched) = (points.map { (product: $0.0.id!, town: $0.1, median: $0.2, count: $0.3) }, keys)
        try await req.db.writeTransaction { db in
            for (product, town, median, count) in found {
                let point = try await PricePoint.query(on: db).filter(\.$product.$id == product)
                    .filter(\.$regionCode == town).filter(\.$source == PriceSource.derived.rawValue)
                    .filter(\.$week == week.key).first() ?? PricePoint()
                point.$product.id = product; point.regionCode = town; point.week = week.key
                point.source = PriceSource.derived.rawValue; point.market = ""; point.priceFen = median
                point.reportedOn = req.today.description; point.quoted = "\(count)笔成交与报价的中位数"
                point.reporter = "platform"; point.outlier = false
                try await point.save(on: db)
            }
            try await PriceSeries.refresh(touched, on: db)
            try await Audit.record(req, on: db, action: "derive_prices", entity: "price_point", id: nil,
                                   region: region.digits, after: ["week": week.description, "points": "\(found.count)"])
        }
    }

    /// 分 per base unit of one sample; nil when its unit does not convert or the figures overflow.
    static func unitPrice(_ s: Sample, productUnit: String) -> Int64? {
        guard s.amount > 0, s.quantity > 0 else { return nil }
        let (scaled, overflow) = s.amount.multipliedReportingOverflow(by: 1_000)
        guard !overflow else { return nil }
        return PriceQuote.perBase(scaled / s.quantity, unit: s.unit, productUnit: productUnit)
    }

    static func ledger(_ p: MonitoredProduct, week: MarketWeek, within region: RegionCode,
                       on db: any Database) async throws -> [Sample] {
        try await (db as! any SQLDatabase).raw("""
            SELECT p.origin_region_code AS region, p.amount_fen AS amount, p.quantity_thousandths AS quantity,
                p.quantity_unit AS unit
            FROM purchases p WHERE p.variety IN (\(binds: p.varieties))
                AND p.purchased_on >= \(bind: week.monday.description) AND p.purchased_on <= \(bind: week.sunday.description)
                AND p.origin_region_code LIKE \(bind: region.subtreePrefix + "%") AND \(unsafeRaw: FlagScan.standing)
            LIMIT 100000
            """).all(decoding: Sample.self)
    }

    /// Offers updated in the week: their asking price per their price unit (or their quantity's unit).
    static func offers(_ p: MonitoredProduct, week: MarketWeek, within region: RegionCode,
                       on db: any Database) async throws -> [Sample] {
        let rows = try await Offer.query(on: db).filter(\.$variety ~~ p.varieties)
            .filter(\.$regionCode =~ region.subtreePrefix)
            .filter(\.$updatedOn >= week.monday.description).filter(\.$updatedOn <= week.sunday.description)
            .limit(100_000).all()
        return rows.map { Sample(region: $0.regionCode, amount: $0.priceFen, quantity: 1_000,
                                 unit: $0.priceUnit ?? $0.quantityUnit) }
    }
}
