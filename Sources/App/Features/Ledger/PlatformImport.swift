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

struct PlatformImportReport: Content {
    var created = 0, skipped = 0
    var errors: [RowError] = []
}

/// Platform-reported rows: all orders of a file or none; orders already in the ledger are skipped, not summed.
enum PlatformImport {
    static func run(_ data: Data, platformCode: String, req: Request) async throws -> PlatformImportReport {
        guard let platform = try await Platform.query(on: req.db).filter(\.$code == platformCode).first() else {
            throw APIError(status: .unprocessableEntity, code: "invalid", message: "未知的平台", field: "platform")
        }
        let m = try platform.mapping
        let orders = try PlatformExport.orders(try OfferSheetController.cells(data), mapping: m)
        let units = try await BuyerUnit.query(on: req.db).scoped(by: req.scope).all()
        let regions = try await RegionResolver.load(scope: .everything, on: req.db)
        let column: [String: String] = ["buyerUnitId": m.buyer, "purchasedOn": m.date, "originRegionCode": m.origin,
                                        "seller": m.seller, "variety": m.variety, "quantity": m.quantity, "amount": m.amount,
                                        "purpose": m.purpose ?? "用途", "orderId": m.orderID, "channel": "渠道"]
        return try await req.db.transaction { db in
            var report = PlatformImportReport()
            for o in orders {
                if try await Purchase.query(on: db).filter(\.$source == PurchaseSource.platform.rawValue)
                    .filter(\.$sourceRef == o.orderID).count() > 0 { report.skipped += 1; continue }
                // The buyer must be named and in scope: a unit's import never takes another unit's orders as its own.
                guard let unit = units.first(where: { $0.creditCode == o.buyer.uppercased() || $0.name == o.buyer }) else {
                    report.errors.append(RowError(row: o.line, column: m.buyer, code: "unknown_buyer",
                                                  message: "采购单位“\(o.buyer)”不存在或不在您的范围内"))
                    continue
                }
                var input = PurchaseInput(form: [:])
                input.buyerUnitId = unit.id
                input.purchasedOn = o.date
                input.originRegionCode = regions.resolve(o.origin)?.digits ?? o.origin
                input.seller = o.seller; input.variety = o.variety; input.quantity = o.quantity; input.amount = o.amount
                input.purpose = PurchasePurpose(codeOrName: o.purpose)?.rawValue ?? o.purpose
                input.channel = platform.channelCode; input.orderId = o.orderID
                do {
                    _ = try await LedgerService.record(input, source: .platform, req: req, on: db)
                    report.created += 1
                } catch let e as FieldError {
                    report.errors.append(RowError(row: o.line, column: column[e.field] ?? e.field, code: e.code, message: e.message))
                } catch let e as APIError where e.field != nil {
                    report.errors.append(RowError(row: o.line, column: column[e.field!] ?? e.field!, code: e.code, message: e.message))
                }
            }
            if !report.errors.isEmpty { throw ImportRejected(report.errors) }
            return report
        }
    }

    @Sendable static func api(req: Request) async throws -> Response {
        do {
            let data = try OfferSheetController.upload(req)
            return try await run(data, platformCode: req.query["platform"] ?? "", req: req).encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await PlatformImportReport(errors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
