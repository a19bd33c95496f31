import BangfuKit
import Fluent
import Vapor

struct PairingInput: FormInput {
    static let pickers: [String: Picker] = ["helperUnitId": .buyerUnit, "helperRegionCode": .anyPlace,
                                            "helpedRegionCode": .place]
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
    let status: String
    let statusName: String
    let proposedBy: String?
    /// For pages: the two sides by name, and whether the viewer may confirm it.
    var helperName: String? = nil, helpedName: String? = nil, canConfirm: Bool? = nil

    init(_ p: Pairing) {
        id = p.id!; kind = p.kind; kindName = PairingKind(rawValue: p.kind)?.chineseName ?? p.kind
        helperUnitId = p.$helperUnit.id; helperRegionCode = p.helperRegionCode
        helpedRegionCode = p.helpedRegionCode; startsOn = p.startsOn; endsOn = p.endsOn; note = p.note
        matchTownship = p.matchTownship; status = p.status; proposedBy = p.proposedBy
        statusName = p.status == Pairing.proposed ? "待对方确认" : "已确认"
    }
}

enum PairingController {
    static let template = "pairings/new"
    static var options: [String: [FormPage.Option]] { ["kind": PairingKind.options] }

    static func list(_ req: Request) async throws -> [PairingDTO] {
        try await Pairing.query(on: req.db).scoped(by: req.scope).sort(\.$startsOn).all().map(PairingDTO.init)
    }

    /// One side must lie in the caller's region; when the other lies outside it (县际结对, 东西部协作) the pairing is
    /// proposed, and counts once that side's office (or an office over both) confirms it.
    static func create(_ input: PairingInput, req: Request) async throws -> Pairing {
        let kind: PairingKind = try FormValue.choice(input.kind, "kind", "帮扶类型")
        let p = Pairing()
        p.kind = kind.rawValue
        p.helpedRegionCode = try await Guard.region(input.helpedRegionCode, field: "helpedRegionCode",
                                                    scope: .everything, on: req.db).digits
        var helperUnitRegion: String? = nil
        if kind.helperIsUnit {
            guard let uid = input.helperUnitId, let unit = try await BuyerUnit.find(uid, on: req.db) else {
                throw FieldError.required("helperUnitId", "帮扶单位")
            }
            p.$helperUnit.id = uid
            helperUnitRegion = unit.regionCode
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
        let sides = p.sides(helperUnitRegion: helperUnitRegion)
        guard sides.contains(where: req.scope.covers(region:)) else {
            throw FieldError(field: "helpedRegionCode", code: "out_of_scope", message: "结对的一方须在您的管辖范围内")
        }
        let ours = sides.allSatisfy(req.scope.covers(region:))
        p.status = ours ? Pairing.confirmed : Pairing.proposed
        if !ours, case .region(let r) = req.scope { p.proposedBy = r.digits }
        try await req.db.writeTransaction { db in
            try await p.create(on: db)
            try await Audit.record(req, on: db, action: "create", entity: "pairing", id: p.id,
                                   region: p.helpedRegionCode, after: PairingDTO(p))
        }
        return p
    }

    @Sendable static func index(req: Request) async throws -> View {
        let pairings = try await Pairing.query(on: req.db).scoped(by: req.scope).sort(\.$startsOn).all()
        let units = Dictionary(uniqueKeysWithValues: try await BuyerUnit.query(on: req.db)
            .filter(\.$id ~~ pairings.compactMap(\.$helperUnit.id)).all().map { ($0.id!, $0.name) })
        let places = try await RegionNames.places(for: pairings.flatMap { [$0.helpedRegionCode]
                                                      + [$0.helperRegionCode].compactMap { $0 } },
                                                  on: req.db)
        let editor = req.scope(for: .editPairings) != nil
        var rows: [PairingDTO] = []
        for p in pairings {
            var d = PairingDTO(p)
            d.helperName = p.$helperUnit.id.flatMap { units[$0] } ?? p.helperRegionCode.flatMap { places[$0] }
            d.helpedName = places[p.helpedRegionCode]
            d.canConfirm = editor && p.status == Pairing.proposed ? try await mayConfirm(p, req: req) : false
            rows.append(d)
        }
        let page = ListPage(shell: Shell(req), rows: rows, canCreate: editor)
        return try await req.view.render("pairings/index", page)
    }

    @Sendable static func new(req: Request) async throws -> View {
        try await FormFlow.show(req, template, options: options, pickers: PairingInput.pickers)
    }

    @Sendable static func submit(req: Request) async throws -> Response {
        try await FormFlow.submit(req, template, PairingInput.self, options: options) {
            _ = try await create($0, req: req)
            return SiteURL.pairings.path
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [PairingDTO] { try await list(req) }

    /// The other side's office, or one over both sides, confirms a proposed pairing; from then it counts.
    static func confirm(_ req: Request) async throws -> Pairing {
        guard let id = req.parameters.get("id", as: Int.self),
              let p = try await Pairing.query(on: req.db).scoped(by: req.scope).filter(\.$id == id).first() else {
            throw APIError.notFound("结对关系")
        }
        guard p.status == Pairing.proposed else { throw APIError.conflict("status", "该结对关系不待确认") }
        guard try await mayConfirm(p, req: req) else {
            throw APIError(status: .forbidden, code: "not_counterpart", message: "须由结对另一方或共同上级确认", field: nil)
        }
        let before = PairingDTO(p)
        p.status = Pairing.confirmed
        p.confirmedBy = req.currentUser?.signature
        try await req.db.writeTransaction { db in
            try await p.save(on: db)
            try await Audit.record(req, on: db, action: "confirm", entity: "pairing",
                                   id: p.id, region: p.helpedRegionCode,
                                   before: before, after: PairingDTO(p))
        }
        return p
    }

    /// The sides the proposer's region does not hold must all lie in the caller's.
    static func mayConfirm(_ p: Pairing, req: Request) async throws -> Bool {
        var unitRegion: String? = nil
        if let unit = p.$helperUnit.id { unitRegion = try await BuyerUnit.find(unit, on: req.db)?.regionCode }
        let proposer = p.proposedBy.flatMap(RegionCode.init)
        let others = p.sides(helperUnitRegion: unitRegion).filter { side in
            guard let proposer, let code = RegionCode(side) else { return true }
            return !proposer.contains(code)
        }
        return !others.isEmpty && others.allSatisfy(req.scope.covers(region:))
    }

    @Sendable static func apiConfirm(req: Request) async throws -> PairingDTO { PairingDTO(try await confirm(req)) }

    @Sendable static func confirmForm(req: Request) async throws -> Response {
        _ = try await confirm(req)
        return req.redirect(to: SiteURL.pairings.path)
    }

    @Sendable static func apiCreate(req: Request) async throws -> Response {
        let p = try await create(try PairingInput.decode(req), req: req)
        return try await PairingDTO(p).encodeResponse(status: .created, for: req)
    }
}
