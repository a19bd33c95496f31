import BangfuKit
import Fluent
import Vapor

/// An office closes a month for its region (关账): rows booked in it are locked, and later changes
/// come only as reversing entries. Reopening needs a reason; both are audited.
enum PeriodController {
    struct PeriodInput: Content { var month: String?; var reason: String? }
    struct PeriodDTO: Content { let jurisdiction: String; let month: String; let closedBy: String; let closedAt: String }

    /// The office's own region, as the scope of `action` anchors it.
    static func jurisdiction(_ req: Request, for action: Action = .manageReporting) throws -> RegionCode {
        guard case .region(let r) = req.scope(for: action) else { throw APIError.forbidden }
        return r
    }

    static func month(_ text: String?) throws -> String {
        guard let t = text, let d = LocalDate(t + "-01"), d.monthKey == t else { throw FieldError.invalid("month", "期间", "如“2026-10”") }
        return t
    }

    static func close(_ input: PeriodInput, req: Request) async throws -> PeriodDTO {
        let j = try jurisdiction(req), m = try month(input.month)
        guard m < req.today.monthKey else {
            throw APIError(status: .unprocessableEntity, code: "not_ended", message: "期间\(m)尚未结束，不能关账", field: "month")
        }
        if try await ClosedPeriod.query(on: req.db).filter(\.$jurisdictionCode == j.digits).filter(\.$month == m).first() != nil {
            throw APIError(status: .conflict, code: "already_closed", message: "期间\(m)已关账", field: "month")
        }
        let c = ClosedPeriod(jurisdiction: j.digits, month: m, closedBy: req.currentUser?.username ?? "")
        try await req.db.writeTransaction { db in
            try await c.create(on: db)
            try await Audit.record(req, on: db, action: "close_period", entity: "period", id: c.id, region: j.digits, after: ["month": m])
        }
        return dto(c)
    }

    static func reopen(_ input: PeriodInput, req: Request) async throws -> PeriodDTO {
        let j = try jurisdiction(req), m = try month(input.month)
        let reason = try FormValue.text(input.reason, "reason", "重新开放的理由", max: 200)
        guard let c = try await ClosedPeriod.query(on: req.db).filter(\.$jurisdictionCode == j.digits).filter(\.$month == m).first() else {
            throw APIError(status: .conflict, code: "not_closed", message: "期间\(m)未关账", field: "month")
        }
        try await req.db.writeTransaction { db in
            try await c.delete(on: db)
            try await Audit.record(req, on: db, action: "reopen_period", entity: "period", id: c.id, region: j.digits,
                                   before: ["month": m], after: ["month": m, "reason": reason])
        }
        return dto(c)
    }

    static func dto(_ c: ClosedPeriod) -> PeriodDTO {
        PeriodDTO(jurisdiction: c.jurisdictionCode, month: c.month, closedBy: c.closedBy,
                  closedAt: c.closedAt.map(ShanghaiCalendar.format) ?? "")
    }

    static func list(_ req: Request) async throws -> [PeriodDTO] {
        let j = try jurisdiction(req)
        return try await ClosedPeriod.query(on: req.db).filter(\.$jurisdictionCode =~ j.subtreePrefix).sort(\.$month, .descending).all().map(dto)
    }

    @Sendable static func apiIndex(req: Request) async throws -> [PeriodDTO] { try await list(req) }
    @Sendable static func apiClose(req: Request) async throws -> PeriodDTO { try await close(try req.content.decode(PeriodInput.self), req: req) }
    @Sendable static func apiReopen(req: Request) async throws -> PeriodDTO { try await reopen(try req.content.decode(PeriodInput.self), req: req) }
}
