import BangfuKit
import Fluent
import SQLKit
import Vapor

/// The prices the platform already sees (成交价): the week's standing ledger rows of a product's varieties by
/// origin township, and the offers updated that week, brought to the product's base unit; one point per township
/// and week, the median, kept beside the clerks' 地头价 and the markets' series.
enum DerivedPrices {
    struct Sample: Decodable { let region: String, variety: String, amount: Int64, quantity: Int64, unit: String }

    static func collect(_ products: [MonitoredProduct], week: MarketWeek, within region: RegionCode?,
                        today: LocalDate, origin: Audit.Origin, on db: any Database,
                        lease: LeaseCheck? = nil) async throws {
        var owners: [String: [MonitoredProduct]] = [:]
        for p in products { for v in p.varieties { owners[v, default: []].append(p) } }
        guard !owners.isEmpty else { return }
        // One read of the week's rows and offers for every watched variety (an index on variety and day serves it).
        let samples = try await ledger(Array(owners.keys), week: week, within: region, on: db)
            + offers(Array(owners.keys), week: week, within: region, on: db)
        var prices: [PriceSeries.Key: [Int64]] = [:]
        for s in samples {
            for p in owners[s.variety] ?? [] where s.region.hasPrefix(Self.prefix(p)) {
                guard let price = unitPrice(s, productUnit: p.unit) else { continue }
                let town = PriceSeries.region(of: s.region, source: .derived)
                prices[.init(product: p.id!, region: town, source: PriceSource.derived.rawValue, week: week.key),
                       default: []].append(price)
            }
        }
        let found = prices.compactMap { key, xs in PriceWatch.median(xs).map { (key, $0, xs.count) } }
        guard !found.isEmpty else { return }
        try await db.writeTransaction { db in
            var changed = Set<PriceSeries.Key>()
            for (key, median, count) in found {
                let point = try await PricePoint.query(on: db).filter(\.$product.$id == key.product)
                    .filter(\.$regionCode == key.region).filter(\.$source == PriceSource.derived.rawValue)
                    .filter(\.$week == week.key).first() ?? PricePoint()
                // The same week derived again changes nothing, and is not judged again.
                guard point.id == nil || point.priceFen != median else { continue }
                changed.insert(key)
                point.$product.id = key.product; point.regionCode = key.region; point.week = week.key
                point.source = PriceSource.derived.rawValue; point.market = ""; point.priceFen = median
                point.reportedOn = today.description; point.quoted = "\(count)笔成交与报价的中位数"
                point.reporter = "platform"; point.outlier = false
                try await point.save(on: db)
            }
            try await PriceSeries.refresh(changed, on: db)
            try await Audit.record(origin, on: db, action: "derive_prices", entity: "price_point", id: nil,
                                   region: region?.digits,
                                   after: ["week": week.description, "points": "\(changed.count)"])
            try await lease?(db)
        }
    }

    /// A product's prices come from its jurisdiction's places.
    static func prefix(_ p: MonitoredProduct) -> String {
        RegionCode(p.jurisdictionCode)?.subtreePrefix ?? p.jurisdictionCode
    }

    /// 分 per base unit of one sample; nil when its unit does not convert or the figures overflow.
    static func unitPrice(_ s: Sample, productUnit: String) -> Int64? {
        guard s.amount > 0, s.quantity > 0 else { return nil }
        let (scaled, overflow) = s.amount.multipliedReportingOverflow(by: 1_000)
        guard !overflow else { return nil }
        return PriceQuote.perBase(scaled / s.quantity, unit: s.unit, productUnit: productUnit)
    }

    static func ledger(_ varieties: [String], week: MarketWeek, within region: RegionCode?,
                       on db: any Database) async throws -> [Sample] {
        try await (db as! any SQLDatabase).raw("""
            SELECT p.origin_region_code AS region, p.variety, p.amount_fen AS amount,
                p.quantity_thousandths AS quantity, p.quantity_unit AS unit
            FROM purchases p WHERE p.variety IN (\(binds: varieties))
                AND p.purchased_on >= \(bind: week.monday.description)
                AND p.purchased_on <= \(bind: week.sunday.description)
                AND p.origin_region_code LIKE \(bind: (region?.subtreePrefix ?? "") + "%")
                AND \(unsafeRaw: FlagScan.standing)
            LIMIT 1000000
            """).all(decoding: Sample.self)
    }

    /// Offers updated in the week: their asking price per their price unit (or their quantity's unit).
    static func offers(_ varieties: [String], week: MarketWeek, within region: RegionCode?,
                       on db: any Database) async throws -> [Sample] {
        let rows = try await Offer.query(on: db).filter(\.$variety ~~ varieties)
            .filter(\.$regionCode =~ (region?.subtreePrefix ?? ""))
            .filter(\.$updatedOn >= week.monday.description).filter(\.$updatedOn <= week.sunday.description)
            .limit(100_000).all()
        return rows.map { Sample(region: $0.regionCode, variety: $0.variety, amount: $0.priceFen, quantity: 1_000,
                                 unit: $0.priceUnit ?? $0.quantityUnit) }
    }
}
