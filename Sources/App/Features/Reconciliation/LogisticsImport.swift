import BangfuKit
import Fluent
import Vapor

/// Carriers' waybill exports imported through their column mappings: all or nothing with a row-by-row report;
/// a waybill already imported is skipped, so the same file twice adds nothing; a sender address that does not
/// resolve to a township or village in the importer's subtree is reported, not guessed.
enum LogisticsImport {
    struct Report: Content {
        var read = 0, added = 0, skipped = 0
        /// Shipments whose receiver is no registered unit: kept, but they block with no ledger row.
        var receiversUnknown = 0
        var errors: [RowError] = []
    }

    static func mapping(_ name: String?) throws -> LogisticsMapping {
        let carrier = try FormValue.text(name, "carrier", "承运商", max: 30)
        guard let m = LogisticsMapping.presets.first(where: { $0.carrier == carrier }) else {
            throw FieldError(field: "carrier", code: "unknown_carrier", message: "承运商“\(carrier)”没有运单导出的列名映射")
        }
        return m
    }

    static func run(_ req: Request, carrier: String?) async throws -> Report {
        let m = try mapping(carrier)
        let file = try await ImportFile.receive(req)
        defer { file.remove() }
        try file.refuseLarger(than: 50)
        let records = try LogisticsSheet.parse(try OfferSheetController.cells(try Data(contentsOf: file.url)),
            mapping: m)
        let resolver = try await RegionResolver.load(scope: req.scope, on: req.db)
        var errors: [RowError] = [], places: [Int: RegionCode] = [:]
        for r in records {
            guard let place = resolver.resolveAddress(r.senderAddress), place.level >= .township else {
                errors.append(RowError(row: r.line, column: m.senderAddress, code: "unknown_place",
                                       message: "寄件地址“\(r.senderAddress)”无法对应到本辖区的乡镇或村"))
                continue
            }
            places[r.line] = place
        }
        guard errors.isEmpty else { throw ImportRejected(errors) }
        let origins = places
        let units = try await UnitNames.lookup(try await BuyerUnit.query(on: req.db).all(), on: req.db)
        let known = Set(try await records.map(\.waybill).chunked(5_000).asyncFlatMap { chunk in
            try await LogisticsWaybill.query(on: req.db).filter(\.$carrier == m.carrier)
                .filter(\.$number ~~ Array(chunk)).all()
        }.map(\.number))
        var report = Report(read: records.count)
        let by = req.currentUser?.signature ?? ""
        var seen = known
        let fresh = records.filter { seen.insert($0.waybill).inserted }
        report.skipped = records.count - fresh.count
        try await req.db.writeTransaction { db in
            for r in fresh {
                let w = LogisticsWaybill()
                w.carrier = m.carrier; w.number = r.waybill; w.shippedOn = r.shipped.description
                w.originCode = origins[r.line]!.digits
                w.senderAddress = r.senderAddress; w.senderMasked = r.senderMasked
                w.receiverUnitID = units[r.receiver]; w.receiverName = r.receiver; w.item = r.item
                w.grams = r.grams; w.pieces = r.pieces; w.freightFen = r.freight?.value; w.importedBy = by
                try await w.create(on: db)
            }
            try await Audit.record(req, on: db, action: "import", entity: "logistics", id: nil, region: nil,
                                   after: ["carrier": m.carrier, "added": String(fresh.count)])
        }
        report.added = fresh.count
        report.receiversUnknown = fresh.filter { units[$0.receiver] == nil }.count
        return report
    }

    @Sendable static func api(req: Request) async throws -> Response {
        do {
            return try await run(req, carrier: req.query["carrier"]).encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await Report(errors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}

extension RegionResolver {
    /// The deepest place an address names from its start ("云阳县龙角镇示例村5组" → 示例村), within the subtree.
    func resolveAddress(_ address: String) -> RegionCode? {
        let text = address.filter { !$0.isWhitespace }
        var best: RegionCode? = nil
        for end in [text.endIndex] + text.indices.reversed() where best == nil {
            best = resolve(String(text[..<end]))
        }
        return best
    }
}
