import BangfuKit
import Fluent
import Vapor

struct DeclarationDTO: Content {
    let buyerUnitId: Int, unitName: String?, year: Int, kind: String, kindName: String, value: Int64, display: String
    init(_ d: DeclarationRecord) {
        buyerUnitId = d.$buyerUnit.id; unitName = d.$buyerUnit.value?.name; year = d.year; kind = d.kind; value = d.value
        let k = DeclarationKind(rawValue: d.kind)
        kindName = k?.chineseName ?? d.kind
        display = k?.isMoney == false ? "\(d.value)人" : Fen(d.value).description
    }
}

/// 申报基数: a unit declares (or its lead unit or office declares for it) the bases its share rules need.
enum DeclarationController {
    struct Input: FormInput {
        var buyerUnitId: Int?; var year: Int?; var kind: String?; @NumberOrText var value: String?
        init(form f: [String: String]) { buyerUnitId = f.int("buyerUnitId"); year = f.int("year"); kind = f.text("kind"); value = f.text("value") }
    }

    static func declare(_ input: Input, req: Request) async throws -> DeclarationRecord {
        var q = BuyerUnit.query(on: req.db).scoped(by: req.scope)
        if case .buyerUnit(let own) = req.scope {
            guard input.buyerUnitId == nil || input.buyerUnitId == own else {
                throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "只能申报本单位的基数")
            }
            q = q.filter(\.$id == own)
        } else {
            guard let id = input.buyerUnitId else { throw FieldError.required("buyerUnitId", "采购单位") }
            q = q.filter(\.$id == id)
        }
        guard let unit = try await q.first() else {
            throw FieldError(field: "buyerUnitId", code: "out_of_scope", message: "采购单位不存在或不在您的范围内")
        }
        let existing = try await DeclarationRecord.query(on: req.db).filter(\.$buyerUnit.$id == unit.id!).all()
        return try await save(input, unit: unit, existing: existing, req: req, on: req.db)
    }

    /// Checks and writes one declaration of a unit already checked against the caller's scope; `existing` holds
    /// that unit's declarations, so that a new one replaces the old of its year and kind (both kept in the audit trail).
    static func save(_ input: Input, unit: BuyerUnit, existing: [DeclarationRecord], req: Request, on db: any Database) async throws -> DeclarationRecord {
        guard let year = input.year, (2000...2100).contains(year) else { throw FieldError.invalid("year", "年度") }
        let kind = try FormValue.choice(input.kind, "kind", "申报项目") as DeclarationKind
        let value: Int64
        if kind.isMoney {
            guard let f = Fen.parse(input.value ?? ""), f >= .zero else { throw FieldError.invalid("value", kind.chineseName, "如“12万”") }
            value = f.value
        } else {
            guard let n = Int64(input.value ?? ""), n >= 0 else { throw FieldError.invalid("value", kind.chineseName, "应为人数") }
            value = n
        }
        let old = existing.first { $0.$buyerUnit.id == unit.id && $0.year == year && $0.kind == kind.rawValue }
        let d = old ?? DeclarationRecord()
        let before = old.map(DeclarationDTO.init)
        d.$buyerUnit.id = unit.id!; d.buyerRegionCode = unit.regionCode; d.buyerSystemID = unit.$system.id
        d.year = year; d.kind = kind.rawValue; d.value = value; d.declaredBy = req.currentUser?.username ?? ""
        try await db.writeTransaction { db in
            try await d.save(on: db)
            try await Audit.record(req, on: db, action: old == nil ? "create" : "update", entity: "declaration", id: d.id,
                                   region: unit.regionCode, before: before, after: DeclarationDTO(d))
        }
        return d
    }

    static func list(_ req: Request) async throws -> [DeclarationDTO] {
        var q = DeclarationRecord.query(on: req.db).scoped(by: req.scope)
        if let y: Int = req.query["year"] { q = q.filter(\.$year == y) }
        return try await q.with(\.$buyerUnit).sort(\.$buyerUnit.$id).sort(\.$kind).all().map(DeclarationDTO.init)
    }

    /// A sheet of declarations (采购单位, 年度, 申报项目, 数额), all rows or none, each problem named by row and column.
    static func importSheet(_ data: Data, req: Request) async throws -> [DeclarationDTO] {
        let form = try FormTable(try OfferSheetController.cells(data), anchor: "申报项目",
                                 aliases: ["采购单位": ["采购单位", "单位名称"], "年度": ["年度"], "申报项目": ["申报项目", "项目"], "数额": ["数额", "金额", "人数"]],
                                 required: ["采购单位", "年度", "申报项目", "数额"], form: "申报表")
        // Units and their declarations are read once for the sheet, not once a row.
        let inScope = try await BuyerUnit.query(on: req.db).scoped(by: req.scope).all()
        let units = Dictionary(inScope.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let columns = ["buyerUnitId": "采购单位", "year": "年度", "kind": "申报项目", "value": "数额"]
        return try await req.db.writeTransaction { db in
            var errors: [RowError] = [], saved: [DeclarationDTO] = []
            var existing = try await DeclarationRecord.query(on: db).filter(\.$buyerUnit.$id ~~ inScope.compactMap(\.id)).all()
            for line in form.lines {
                guard let unit = units[line["采购单位"]] else {
                    errors.append(RowError(row: line.number, column: "采购单位", code: "unknown_buyer", message: "采购单位“\(line["采购单位"])”不存在或不在您的范围内"))
                    continue
                }
                var input = Input(form: [:])
                input.year = Int(line["年度"]); input.value = line["数额"]
                input.kind = DeclarationKind(codeOrName: line["申报项目"])?.rawValue ?? line["申报项目"]
                do {
                    let d = try await save(input, unit: unit, existing: existing, req: req, on: db)
                    existing.append(d)
                    saved.append(DeclarationDTO(d))
                } catch let e as FieldError {
                    errors.append(RowError(row: line.number, column: columns[e.field] ?? e.field, code: e.code, message: e.message))
                }
            }
            guard errors.isEmpty else { throw ImportRejected(errors) }
            return saved
        }
    }

    @Sendable static func apiImport(req: Request) async throws -> Response {
        do {
            return try await importSheet(try OfferSheetController.upload(req), req: req).encodeResponse(for: req)
        } catch let e as ImportRejected {
            return try await LedgerImportReport(errors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// The progress page's upload: back to the page, with every row's problem when the sheet is refused.
    @Sendable static func submitImport(req: Request) async throws -> Response {
        do {
            _ = try await importSheet(try OfferSheetController.upload(req), req: req)
            return req.redirect(to: SiteURL.progress.path)
        } catch let e as ImportRejected {
            return try await ProgressController.page(req, importErrors: e.errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable static func apiIndex(req: Request) async throws -> [DeclarationDTO] { try await list(req) }
    @Sendable static func apiCreate(req: Request) async throws -> DeclarationDTO {
        DeclarationDTO(try await declare(try Input.decode(req), req: req))
    }
    /// The progress page's form: a refused value re-renders the page with what was typed and the reason beside it.
    @Sendable static func submit(req: Request) async throws -> Response {
        let values = try Input.formValues(req)
        func again(_ field: String, _ message: String, _ status: HTTPStatus) async throws -> Response {
            try await ProgressController.page(req, values: values, errors: [field: message])
                .encodeResponse(status: status, for: req)
        }
        do {
            _ = try await declare(try Input(form: values), req: req)
            return req.redirect(to: SiteURL.progress.path)
        } catch let e as FieldError {
            return try await again(e.field, e.message, .unprocessableEntity)
        } catch let e as APIError where e.field != nil {
            return try await again(e.field!, e.message, e.status)
        }
    }
}

extension DeclarationRecord: Scoped {
    static func restrict(_ q: QueryBuilder<DeclarationRecord>, to scope: Scope) -> QueryBuilder<DeclarationRecord>? {
        switch scope {
        case .region(let r): q.filter(\.$buyerRegionCode =~ r.subtreePrefix)
        case .system(let id): q.filter(\.$buyerSystemID == id)
        case .buyerUnit(let id): q.filter(\.$buyerUnit.$id == id)
        default: nil
        }
    }
}
