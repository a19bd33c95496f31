import BangfuKit
import Fluent
import Vapor

struct PairingInput: FormInput {
    static let pickers: [String: Picker] = ["helperUnitId": .buyerUnit, "helperRegionCode": .anyPlace, "helpedRegionCode": .place]
    var kind: String?
    var helperUnitId: Int?
    var helperRegionCode: String?
    var helpedRegionCode: String?
    var startsOn: String?
    var endsOn: String?
    var note: String?
    /// 按乡镇计: a pairing with a village counts purchases from the village's whole township.
    var matchTownship: Bool?

    init(form f: [String: String]) {
        kind = f.text("kind"); helperUnitId = f.int("helperUnitId"); helperRegionCode = f.text("helperRegionCode")
        helpedRegionCode = f.text("helpedRegionCode"); startsOn = f.text("startsOn"); endsOn = f.text("endsOn")
        note = f.text("note"); matchTownship = f["matchTownship"] == "1"
    }
}

struct PairingDTO: Content {
    let id: Int
    let kind: String
    let kindName: String
    let helperUnitId: Int?
    let helperRegionCode: String?
    let helpedRegionCode: String
    let startsOn: String
    let endsOn: String?
    let note: String?
    let matchTownship: Bool

    init(_ p: Pairing) {
        id = p.id!; kind = p.kind; kindName = PairingKind(rawValue: p.kind)?.chineseName ?? p.kind
        helperUnitId = p.$helperUnit.id; helperRegionCode = p.helperRegionCode
        helpedRegionCode = p.helpedRegionCode; startsOn = p.startsOn; endsOn = p.endsOn; note = p.note
        matchTownship = p.matchTownship
    }
}

enum PairingController {
    static let template = "pairings/new"
    static var options: [String: [FormPage.Option]] { ["kind": PairingKind.options] }

    static func list(_ req: Request) async throws -> [PairingDTO] {
        try await Pairing.query(on: req.db).scoped(by: req.scope).sort(\.$startsOn).all().map(PairingDTO.init)
    }

    /// The helped side must lie in the caller's region; the helper is a unit or a region by kind.
    static func create(_ input: PairingInput, req: Request) async throws -> Pairing {
        let kind: PairingKind = try FormValue.choice(input.kind, "kind", "帮扶类型")
        let p = Pairing()
        p.kind = kind.rawValue
        p.helpedRegionCode = try await Guard.region(input.helpedRegionCode, field: "helpedRegionCode", scope: req.scope, on: req.db).digits
        if kind.helperIsUnit {
            guard let uid = input.helperUnitId, try await BuyerUnit.find(uid, on: req.db) != nil else {
                throw FieldError.required("helperUnitId", "帮扶单位")
            }
            p.$helperUnit.id = uid
        } else {
            p.helperRegionCode = try await Guard.region(input.helperRegionCode, field: "helperRegionCode",
                                                        scope: .everything, on: req.db).digits
        }
        let starts = try FormValue.date(input.startsOn, "startsOn", "开始日期")
        p.startsOn = starts.description
        if let text = input.endsOn {
            let ends = try FormValue.date(text, "endsOn", "结束日期")
            guard ends >= starts else {
                throw FieldError(field: "endsOn", code: "before_start", message: "结束日期不能早于开始日期")
            }
            p.endsOn = ends.description
        }
        p.note = try FormValue.optionalText(input.note, "note", "备注")
        p.matchTownship = input.matchTownship ?? false
        try await req.db.writeTransaction { db in
            try await p.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "pairing", id: p.id,
                                   region: p.helpedRegionCode, after: PairingDTO(p))
        }
        return p
    }

    @Sendable static func index(req: Request) async throws -> View {
        let page = ListPage(shell: Shell(req), rows: try await list(req), canCreate: req.scope(for: .editPairings) != nil)
        return try await req.view.render("pairings/index", page)
    }

    @Sendable static func new(req: Request) async throws -> View { try await FormFlow.show(req, template, options: options, pickers: PairingInput.pickers) }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, PairingInput.self, options: options) {
            _ = try await create($0, req: req)
            return SiteURL.pairings.path
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [PairingDTO] { try await list(req) }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let p = try await create(try PairingInput.decode(req), req: req)
        return try await PairingDTO(p).encodeResponse(status: .created, for: req)
    }
}
