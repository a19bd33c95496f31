import BangfuKit
import Fluent
import Vapor

/// 物流跟踪: events reach a waybill from a carrier's export file (read through its mapping) or pushed to the API
/// with a token. A batch naming a waybill the caller does not ship is refused whole; an event seen before is kept
/// once.
enum TrackingService {
    struct PushInput: Content {
        struct Event: Content { var waybill: String?; var at: String?; var place: String?; var status: String? }
        var carrier: String?
        var events: [Event]?
    }

    struct Report: Content { var received: Int; var added: Int; var errors: [RowError] = [] }

    /// The report, or every row's error with 422 and nothing written.
    static func respond(_ req: Request, _ body: () async throws -> Report) async throws -> Response {
        do {
            return try await body().encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await Report(received: 0, added: 0, errors: e.errors)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable static func apiPush(req: Request) async throws -> Response {
        try await respond(req) { try await push(req) }
    }

    static func push(_ req: Request) async throws -> Report {
        let input = try req.content.decode(PushInput.self)
        let carrier = try FormValue.text(input.carrier, "carrier", "承运商", max: 30)
        let events = input.events ?? []
        guard !events.isEmpty, events.count <= 5_000 else { throw FieldError.required("events", "物流事件（至多5000条）") }
        var records: [TrackingRecord] = [], errors: [RowError] = []
        for (i, e) in events.enumerated() {
            let cells = [e.waybill ?? "", e.at ?? "", e.status ?? "", e.place ?? ""].map(\.trimmed)
            let mapping = CarrierMapping(carrier: carrier, waybill: "waybill", time: "at", place: "place",
                status: "status")
            switch TrackingSheet.record(cells, line: i + 1, mapping: mapping) {
            case .success(let r): records.append(r)
            case .failure(let e): errors.append(e)
            }
        }
        guard errors.isEmpty else { throw ImportRejected(errors) }
        return try await add(records, carrier: carrier, source: "api", req: req)
    }

    /// A carrier's export file (?carrier=顺丰速运), as a raw body or a form's file.
    static func importFile(_ req: Request, carrierName: String?) async throws -> Report {
        let name = try FormValue.text(carrierName, "carrier", "承运商", max: 30)
        guard let carrier = try await Carrier.query(on: req.db).filter(\.$name == name).first(),
              let mapping = carrier.mapping else {
            throw FieldError(field: "carrier", code: "unknown_carrier", message: "承运商“\(name)”未登记")
        }
        let file = try await ImportFile.receive(req)
        defer { file.remove() }
        try file.refuseLarger(than: 50)
        let cells = try OfferSheetController.cells(try Data(contentsOf: file.url))
        return try await add(try TrackingSheet.parse(cells, mapping: mapping), carrier: name, source: "file", req: req)
    }

    @Sendable static func apiImport(req: Request) async throws -> Response {
        try await respond(req) { try await importFile(req, carrierName: req.query["carrier"]) }
    }

    /// Adds the events of waybills the caller ships; all or nothing.
    static func add(_ records: [TrackingRecord], carrier: String, source: String, req: Request) async throws -> Report {
        let numbers = Array(Set(records.map(\.waybill)))
        let bills = try await numbers.chunked(5_000).asyncFlatMap { chunk in
            try await WaybillRecord.query(on: req.db).filter(\.$carrier == carrier).filter(\.$number ~~ Array(chunk))
                .all()
        }
        // An office writes tracking onto the waybills of its own sellers, not of its buyers' sellers elsewhere.
        let visible = Set(try await Array(Set(bills.map(\.orderID))).chunked(5_000).asyncFlatMap { chunk in
            try await Order.query(on: req.db).scoped(by: req.scope).filter(\.$id ~~ Array(chunk)).all()
        }.filter { if case .region = req.scope { req.scope.covers(region: $0.sellerRegionCode) } else { true } }
            .compactMap(\.id))
        let byNumber = Dictionary(bills.filter { visible.contains($0.orderID) }.map { ($0.number, $0) },
                                  uniquingKeysWith: { a, _ in a })
        let unknown = records.filter { byNumber[$0.waybill] == nil }.map {
            RowError(row: $0.line, column: "运单号", code: "unknown_waybill", message: "运单号\($0.waybill)不属于您发货的订单")
        }
        guard unknown.isEmpty else { throw ImportRejected(unknown) }
        let known = try await bills.compactMap(\.id).chunked(5_000).asyncFlatMap { chunk in
            try await TrackingEvent.query(on: req.db).filter(\.$waybillID ~~ Array(chunk)).all()
        }
        var seen = Set(known.map { "\($0.waybillID)|\($0.at)|\($0.status)" })
        let fresh = records.filter { r in seen.insert("\(byNumber[r.waybill]!.id!)|\(r.at)|\(r.status)").inserted }
        try await req.db.writeTransaction { db in
            for r in fresh {
                let e = TrackingEvent()
                e.waybillID = byNumber[r.waybill]!.id!; e.at = r.at; e.place = r.place; e.status = r.status
                e.source = source
                try await e.create(on: db)
            }
            try await Audit.record(req, on: db, action: "track", entity: "waybill", id: nil, region: nil,
                                   after: ["carrier": carrier, "events": String(fresh.count)])
        }
        return Report(received: records.count, added: fresh.count)
    }

    static func waybills(of orders: [Int], on db: any Database) async throws -> [Int: [WaybillDTO]] {
        let bills = try await WaybillRecord.query(on: db).filter(\.$orderID ~~ orders).sort(\.$id).all()
        let events = try await TrackingEvent.query(on: db).filter(\.$waybillID ~~ bills.compactMap(\.id))
            .sort(\.$at).all()
        let byBill = Dictionary(grouping: events, by: \.waybillID)
        return Dictionary(grouping: bills.map { w in
            (w.orderID, WaybillDTO(carrier: w.carrier, number: w.number, shippedOn: w.shippedOn,
                                   events: (byBill[w.id!] ?? []).map { .init(at: $0.at, place: $0.place,
                                       status: $0.status) }))
        }, by: \.0).mapValues { $0.map(\.1) }
    }
}

/// Carriers and their tracking-export mappings: data an office adds to, as platform exports are.
enum CarrierController {
    static func row(_ m: CarrierMapping) throws -> Carrier {
        let c = Carrier()
        c.name = m.carrier
        c.mappingJSON = String(decoding: try JSONEncoder().encode(m), as: UTF8.self)
        return c
    }

    @Sendable static func apiIndex(req: Request) async throws -> [CarrierMapping] {
        try await Carrier.query(on: req.db).sort(\.$id).all().compactMap(\.mapping)
    }

    /// Adds a carrier, or changes the mapping of one already known by its name.
    @Sendable static func apiSave(req: Request) async throws -> Response {
        let m = try req.content.decode(CarrierMapping.self)
        let carrier = try FormValue.text(m.carrier, "carrier", "承运商", max: 30)
        for (field, label) in [(m.waybill, "waybill"), (m.time, "time"), (m.status, "status")] {
            _ = try FormValue.text(field, label, "列名", max: 30)
        }
        let existing = try await Carrier.query(on: req.db).filter(\.$name == carrier).first()
        let row = try Self.row(m)
        let saved = existing ?? row
        saved.mappingJSON = row.mappingJSON
        try await req.db.writeTransaction { db in
            try await saved.save(on: db)
            try await Audit.record(req, on: db, action: existing == nil ? "create" : "update", entity: "carrier",
                                   id: saved.id, region: nil, before: existing?.mapping, after: m)
        }
        return try await m.encodeResponse(status: existing == nil ? .created : .ok, for: req)
    }
}

extension CarrierMapping: Content {}
