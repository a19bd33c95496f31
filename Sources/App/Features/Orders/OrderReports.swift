import BangfuKit
import Fluent
import Vapor

/// 产品追溯: from an order (and so from any ledger row it became) to the offers, the sellers as masks, the
/// certification each offer held when the order was placed, and the waybills with their events.
enum OrderTrace {
    struct Item: Content {
        let offerId: Int, variety: String, seller: String, place: String, quantity: String, accepted: String?
        let certificateNo: String?, certifiedFrom: String?, certifiedUntil: String?, certification: String
        let purchaseId: Int?
    }
    struct Trace: Content { let order: OrderDTO; let items: [Item]; var steps: [OrderStepDTO] }

    static func trace(_ o: Order, on db: any Database) async throws -> Trace {
        let order = try await OrderController.detail(o, on: db)
        let lines = try await OrderLine.query(on: db).filter(\.$order.$id == o.id!).sort(\.$id).all()
        let offers = try await Offer.query(on: db).filter(\.$id ~~ lines.map(\.offerID)).all()
        let byID = Dictionary(uniqueKeysWithValues: offers.map { ($0.id!, $0) })
        let certs = try await ProductApplication.query(on: db).filter(\.$id ~~ lines.compactMap(\.certificationID))
            .all()
        let certByID = Dictionary(uniqueKeysWithValues: certs.map { ($0.id!, $0) })
        let places = try await RegionNames.places(for: offers.map(\.regionCode), on: db)
        let items = lines.map { l -> Item in
            let offer = byID[l.offerID], cert = l.certificationID.flatMap { certByID[$0] }
            return Item(offerId: l.offerID, variety: l.variety, seller: offer?.sellerMasked ?? "",
                        place: offer.map { places[$0.regionCode] ?? $0.regionCode } ?? "",
                        quantity: l.quantity.description,
                        accepted: l.acceptedThousandths.map { Quantity(thousandths: $0,
                            unit: l.quantityUnit).description },
                        certificateNo: cert?.certificateNo, certifiedFrom: cert?.validFrom,
                        certifiedUntil: cert?.validUntil,
                        certification: cert == nil ? "下单时未经认定" : "下单时在认定有效期内", purchaseId: l.purchaseID)
        }
        let steps = try await OrderStep.query(on: db).filter(\.$orderID == o.id!).sort(\.$id).all()
        return Trace(order: order, items: items, steps: steps.map(OrderStepDTO.init))
    }

    @Sendable static func api(req: Request) async throws -> Trace {
        try await trace(try await OrderController.find(req), on: req.db)
    }
}

/// 拖欠货款: accepted orders not yet paid, per buyer unit, by age; those past the jurisdiction's limit flagged.
enum ReceivablesReport {
    struct Row: Content {
        let buyerUnitId: Int, buyerUnit: String, orders: Int, unpaid: String, unpaidFen: Int64
        /// 30天内, 31–60天, 61–90天, 90天以上, in 分.
        let bucketsFen: [Int64]
        let overdueOrders: Int
        let overdueFen: Int64
        let overdueIds: [Int]
    }
    struct Report: Content { let buckets: [String]; let rows: [Row]; let overdueOrders: Int; let today: String }

    static func report(_ req: Request) async throws -> Report {
        let scope = req.scope(for: .viewOrders) ?? req.scope
        let orders = try await Order.query(on: req.db).scoped(by: scope)
            .filter(\.$paymentState == PaymentState.unpaid.rawValue).filter(\.$acceptedOn != nil)
            .filter(\.$state != OrderState.cancelled.rawValue).all()
        let units = try await BuyerUnit.query(on: req.db).filter(\.$id ~~ Set(orders.map(\.$buyerUnit.id))).all()
        let names = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0.name) })
        var limits: [String: Int] = [:]
        var rows: [Row] = []
        for (unit, mine) in Dictionary(grouping: orders, by: { $0.$buyerUnit.id }) {
            var buckets = [Int64](repeating: 0, count: Receivables.Bucket.allCases.count)
            var overdue: [Order] = []
            for o in mine {
                guard let accepted = LocalDate(o.acceptedOn ?? "") else { continue }
                let limit = try await cachedLimit(o.buyerRegionCode, &limits, on: req.db)
                let due = OrderService.payable(o)
                let b = Receivables.bucket(days: accepted.days(until: req.today)).rawValue
                buckets[b] = try APIError.total([buckets[b], due])
                if Receivables.overdue(acceptedOn: accepted, today: req.today, limit: limit) { overdue.append(o) }
            }
            let total = try APIError.total(buckets)
            rows.append(Row(buyerUnitId: unit, buyerUnit: names[unit] ?? "", orders: mine.count,
                            unpaid: Fen(total).description, unpaidFen: total, bucketsFen: buckets,
                            overdueOrders: overdue.count, overdueFen: try APIError
                                .total(overdue.map(OrderService.payable)),
                            overdueIds: overdue.compactMap(\.id).sorted()))
        }
        rows.sort { ($0.overdueFen, $0.unpaidFen, -$0.buyerUnitId) > ($1.overdueFen, $1.unpaidFen, -$1.buyerUnitId) }
        return Report(buckets: Receivables.Bucket.allCases.map(\.chineseName), rows: rows,
                      overdueOrders: rows.map(\.overdueOrders).reduce(0, +), today: req.today.description)
    }

    static func cachedLimit(_ region: String, _ cache: inout [String: Int], on db: any Database) async throws -> Int {
        if let days = cache[region] { return days }
        let days = try await LedgerSettings.values(for: RegionCode(region)!, on: db).paymentDays
        cache[region] = days
        return days
    }

    @Sendable static func api(req: Request) async throws -> Report { try await report(req) }
}
