@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Closed periods never change: rows in them are locked, late rows book into the open month, and
/// corrections come as a reversing entry plus a new entry, both audited.
final class PeriodTests: XCTestCase {
    struct Body: Encodable {
        var purchasedOn = "2026-10-12", originRegionCode = Fixtures.village, seller = "王小明", variety = "土豆"
        var quantity = "30斤", amount = "90元", purpose = "canteen", channel = "fiveInto"
        var reason: String? = nil
    }
    struct P: Decodable { let id: Int; let amountFen: Int64; let counts: Bool; let reversesId: Int?; let replacesId: Int? }
    struct Month: Encodable { let month: String; var reason: String? = nil }
    struct Totals: Decodable { struct Line: Decodable { let key: String; let amountFen: Int64; let rows: Int }; let counted: [Line] }

    func monthTotal(_ api: APIClient, _ month: String) async throws -> Int64 {
        try await api.get("/api/v1/purchases/totals?by=month").content.decode(Totals.self).counted.first { $0.key == month }?.amountFen ?? 0
    }

    func testAClosedMonthIsLockedAndCorrectedOnlyByReversingEntries() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer"), office = try await apiClient(app, "office")
            let row = try await buyer.post("/api/v1/purchases", Body()).content.decode(P.self)
            let pending = try await buyer.post("/api/v1/purchases", Body(purchasedOn: "2026-10-20", amount: "40元")).content.decode(P.self)
            try await assertEqual(try await office.post("/api/v1/purchases/\(row.id)/verify", VerifyBody()).status, .ok)

            try await assertEqual(try await office.post("/api/v1/periods/close", Month(month: "2026-11")).status, .unprocessableEntity,
                                  "a month not yet over cannot be closed")
            try await assertEqual(try await buyer.post("/api/v1/periods/close", Month(month: "2026-10")).status, .forbidden)
            try await assertEqual(try await office.post("/api/v1/periods/close", Month(month: "2026-10")).status, .ok)
            try await assertEqual(try await monthTotal(office, "2026-10"), 9_000)

            let locked = try await office.post("/api/v1/purchases/\(pending.id)/verify", VerifyBody())
            XCTAssertEqual(locked.status, .conflict)
            XCTAssertEqual(try locked.error().error.code, "period_locked")

            // A late report of an October purchase books into November, leaving October as closed.
            let late = try await buyer.post("/api/v1/purchases", Body(purchasedOn: "2026-10-30", seller: "张大山", amount: "70元"))
            XCTAssertEqual(late.status, .created)
            try await assertEqual(try await Purchase.find(try late.content.decode(P.self).id, on: app.db)?.bookedOn, "2026-11-23")

            var fix = Body(amount: "120元"); fix.seller = "王小明"
            let noReason = try await buyer.post("/api/v1/purchases/\(row.id)/correct", fix)
            XCTAssertEqual(try noReason.error().error.field, "reason")
            fix.reason = "金额填错，应为120元"
            struct Out: Decodable { let reversal: P; let replacement: P }
            let out = try await buyer.post("/api/v1/purchases/\(row.id)/correct", fix).content.decode(Out.self)
            XCTAssertEqual(out.reversal.amountFen, -9_000)
            XCTAssertEqual(out.reversal.reversesId, row.id)
            XCTAssertTrue(out.reversal.counts, "a reversal counts exactly when its original did")
            XCTAssertEqual(out.replacement.replacesId, row.id)
            XCTAssertEqual(out.replacement.amountFen, 12_000)

            let original = try await Purchase.find(row.id, on: app.db)!
            XCTAssertEqual(original.amountFen, 9_000, "the original is never edited")
            try await assertEqual(try await monthTotal(office, "2026-10"), 9_000, "the closed month keeps its figure")
            try await assertEqual(try await monthTotal(office, "2026-11"), -9_000, "the reversal books into the open month")
            try await assertEqual(try await office.post("/api/v1/purchases/\(row.id)/correct", fix).status, .conflict, "reversed once only")

            try await assertEqual(
                try await office.post("/api/v1/purchases/\(out.replacement.id)/verify", VerifyBody()).status, .ok)
            try await assertEqual(try await monthTotal(office, "2026-11"), 3_000, "net: −90 + 120")
            let actions = try await AuditEntry.query(on: app.db).filter(\.$entity == "purchase").all().map(\.action)
            XCTAssertTrue(actions.contains("reverse") && actions.contains("correct"))

            try await assertEqual(try await office.post("/api/v1/periods/reopen", Month(month: "2026-10")).status, .unprocessableEntity,
                                  "reopening needs a reason")
            try await assertEqual(try await office.post("/api/v1/periods/reopen", Month(month: "2026-10", reason: "补录核实")).status, .ok)
            try await assertEqual(
                try await office.post("/api/v1/purchases/\(pending.id)/verify", VerifyBody()).status, .ok)
            let reopened = try await AuditEntry.query(on: app.db).filter(\.$action == "reopen_period").first()
            XCTAssertTrue(reopened?.after?.contains("补录核实") ?? false)
        }
    }
}
