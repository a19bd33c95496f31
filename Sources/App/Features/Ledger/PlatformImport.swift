import BangfuKit
import Fluent
import Foundation
import Vapor

/// A platform whose order exports are imported: its channel and its column mapping (JSON), kept as data.
final class Platform: Model, @unchecked Sendable {
    static let schema = "platforms"

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "channel_code") var channelCode: String
    @Field(key: "mapping") var mappingJSON: String

    init() {}
    init(code: String, name: String, channelCode: String, mapping: PlatformMapping) throws {
        self.code = code; self.name = name; self.channelCode = channelCode
        mappingJSON = String(decoding: try JSONEncoder().encode(mapping), as: UTF8.self)
    }

    var mapping: PlatformMapping { get throws { try JSONDecoder().decode(PlatformMapping.self, from: Data(mappingJSON.utf8)) } }
}

/// Platform-reported rows: all orders of a file or none; orders already in the ledger are skipped, not summed.
enum PlatformImport {
    static func run(_ data: Data, platformCode: String, req: Request) async throws -> LedgerImportReport {
        guard let platform = try await Platform.query(on: req.db).filter(\.$code == platformCode).first() else {
            throw APIError(status: .unprocessableEntity, code: "invalid", message: "未知的平台", field: "platform")
        }
        let m = try platform.mapping
        let orders = try PlatformExport.orders(try OfferSheetController.cells(data), mapping: m)
        let units = try await BuyerUnit.query(on: req.db).scoped(by: req.scope).all()
        let regions = try await RegionResolver.load(scope: .everything, on: req.db)
        let known = Set(try await Purchase.query(on: req.db).filter(\.$source == PurchaseSource.platform.rawValue)
            .filter(\.$sourceRef ~~ orders.map(\.orderID)).all().compactMap(\.sourceRef))
        let column: [String: String] = ["buyerUnitId": m.buyer, "purchasedOn": m.date, "originRegionCode": m.origin,
                                        "seller": m.seller, "variety": m.variety, "quantity": m.quantity, "amount": m.amount,
                                        "purpose": m.purpose ?? "用途", "orderId": m.orderID, "channel": "渠道"]
        var rows: [LedgerImport.Row] = [], errors: [RowError] = [], skipped = 0
        for o in orders {
            if known.contains(o.orderID) { skipped += 1; continue }
            // The buyer must be named and in scope: a unit's import never takes another unit's orders as its own.
            guard let unit = units.first(where: { $0.creditCode == o.buyer.uppercased() || $0.name == o.buyer }) else {
                errors.append(RowError(row: o.line, column: m.buyer, code: "unknown_buyer", message: "采购单位“\(o.buyer)”不存在或不在您的范围内"))
                continue
            }
            var input = PurchaseInput(form: [:])
            input.buyerUnitId = unit.id
            input.purchasedOn = o.date
            input.originRegionCode = regions.resolve(o.origin)?.digits ?? o.origin
            input.seller = o.seller; input.variety = o.variety; input.quantity = o.quantity; input.amount = o.amount
            input.purpose = PurchasePurpose(codeOrName: o.purpose)?.rawValue ?? o.purpose
            input.channel = platform.channelCode; input.orderId = o.orderID
            rows.append(.init(line: o.line, input: input))
        }
        var report = try await LedgerImport.recordAll(rows, errors: errors, source: .platform, columns: column, req: req)
        report.skipped = skipped
        return report
    }

    @Sendable static func api(req: Request) async throws -> Response {
        try await LedgerImport.respond(req) {
            try await run(try OfferSheetController.upload(req), platformCode: req.query["platform"] ?? "", req: req)
        }
    }
}
