import BangfuKit
import Fluent
import SQLKit
import Vapor

/// Supply and stock of monitored products per township (供需与库存): what the catalogue offers (its planned
/// quantities), what the ledger shows sold of the product from there since the season began, what remains, and
/// how much of the season is gone — sell-through against the season as 序时进度 is for quotas.
enum StockFacts {
    struct Key: Hashable { let product: Int, township: String }

    struct Line: Content {
        let productId: Int, product: String, township: String, unit: String
        let offered: String, sold: String, remaining: String
        let sellThroughBP: Int, seasonElapsedBP: Int, season: String
        /// The same shares in whole percent, for bars.
        let sellThroughPercent: Int, seasonPercent: Int
        /// Sold share behind the season's share gone by this much (basis points); 0 when on pace.
        let behindBP: Int
    }

    struct Sum: Decodable { let region: String, variety: String, unit: String, total: Int64 }

    /// Stock per product and township, for products in season on `today`; quantities in grams (weight products) or
    /// in the product's own unit.
    static func load(_ products: [MonitoredProduct], today: LocalDate, within prefix: String = "",
                     on db: any Database) async throws -> [Key: PriceWatch.Stock] {
        var out: [Key: PriceWatch.Stock] = [:]
        for p in products {
            guard let window = p.season?.window(around: today), let elapsed = p.season?.elapsedBP(on: today) else {
                continue
            }
            let offered = try await sums(offersOf: p, since: window.lowerBound, within: prefix, on: db)
            let sold = try await sums(salesOf: p, from: window.lowerBound, to: today, within: prefix, on: db)
            for (town, quantity) in offered where quantity > 0 {
                out[Key(product: p.id!, township: town)] = PriceWatch.Stock(
                    offered: quantity, sold: sold[town] ?? 0, seasonElapsedBP: elapsed)
            }
        }
        return out
    }

    /// Offers kept up this season (a line not updated since the season began is no longer on offer).
    static func sums(offersOf p: MonitoredProduct, since: LocalDate, within prefix: String,
                     on db: any Database) async throws -> [String: Int64] {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT region_code AS region, variety, quantity_unit AS unit,
                CAST(SUM(quantity_thousandths) AS BIGINT) AS total
            FROM offers WHERE variety IN (\(binds: p.varieties)) AND region_code LIKE \(bind: prefix + "%")
                AND updated_on >= \(bind: since.description)
            GROUP BY region_code, variety, quantity_unit
            """).all(decoding: Sum.self)
        return byTownship(rows, unit: p.unit)
    }

    static func sums(salesOf p: MonitoredProduct, from: LocalDate, to: LocalDate, within prefix: String,
                     on db: any Database) async throws -> [String: Int64] {
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT origin_region_code AS region, variety, quantity_unit AS unit,
                CAST(SUM(quantity_thousandths) AS BIGINT) AS total
            FROM purchases WHERE variety IN (\(binds: p.varieties)) AND origin_region_code LIKE \(bind: prefix + "%")
                AND purchased_on >= \(bind: from.description) AND purchased_on <= \(bind: to.description)
                AND \(unsafeRaw: Rollups.counted)
            GROUP BY origin_region_code, variety, quantity_unit
            """).all(decoding: Sum.self)
        return byTownship(rows, unit: p.unit)
    }

    /// Quantities in one measure per township: grams for weights, the product's unit otherwise; others left out.
    static func byTownship(_ rows: [Sum], unit: String) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for r in rows {
            let q = Quantity(thousandths: r.total, unit: r.unit)
            let measure: Int64? = Weights.gramsPer[unit] != nil ? Weights.grams(q)
                : (r.unit == unit ? r.total / 1_000 : nil)
            guard let measure, let code = RegionCode(r.region) else { continue }
            let town = code.level > .township ? (code.ancestor(at: .township)?.digits ?? r.region) : r.region
            let (sum, overflow) = out[town, default: 0].addingReportingOverflow(measure)
            out[town] = overflow ? Int64.max : sum
        }
        return out
    }

    @Sendable static func api(req: Request) async throws -> [Line] { try await lines(req) }

    /// The stock page and API: per product and township of the caller's area, with the season's pace.
    static func lines(_ req: Request) async throws -> [Line] {
        let products = try await MonitoredProducts.visible(req)
        let prefix = if case .region(let r) = req.scope(for: .viewPrices) { r.subtreePrefix } else { "" }
        let stock = try await load(products, today: req.today, within: prefix, on: req.db)
        let names = try await RegionNames.places(for: Array(Set(stock.keys.map(\.township))), on: req.db)
        let byID = Dictionary(products.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        return stock.compactMap { key, s -> Line? in
            guard let p = byID[key.product] else { return nil }
            let measure = Weights.gramsPer[p.unit] != nil ? "公斤" : p.unit
            func text(_ v: Int64) -> String {
                measure == "公斤" ? Weights.text(v) : "\(v)\(p.unit)"
            }
            let sellThrough = 10_000 - s.remainingBP
            return Line(productId: key.product, product: p.name, township: names[key.township] ?? key.township,
                        unit: measure, offered: text(s.offered), sold: text(min(s.sold, s.offered)),
                        remaining: text(max(0, s.offered - s.sold)), sellThroughBP: sellThrough,
                        seasonElapsedBP: s.seasonElapsedBP, season: p.season?.chineseName ?? "",
                        sellThroughPercent: sellThrough / 100, seasonPercent: s.seasonElapsedBP / 100,
                        behindBP: max(0, s.seasonElapsedBP - sellThrough))
        }.sorted { ($0.behindBP, $0.product) > ($1.behindBP, $1.product) }
    }
}
