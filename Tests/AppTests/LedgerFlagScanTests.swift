@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 15: flags follow each import for what it touched; a flag's rows can be rejected by reversal; a township
/// sees the flags of its own rows; a seller's rows beyond what it offered are flagged; Chongqing's rule books
/// uncertified products as not counted.
final class LedgerFlagScanTests: XCTestCase {
    struct Row: Encodable {
        let buyerUnitId: Int; var purchasedOn = "2026-11-10"; var originRegionCode = Fixtures.village
        var seller = "示例村合作社"; var variety = "红橙"; var quantity = "100斤"; var amount: String
        var purpose = "canteen"; var channel = "fiveInto"
    }
    struct Id: Decodable { let id: Int }

    func record(_ api: APIClient, _ rows: [Row]) async throws -> [Int] {
        var ids: [Int] = []
        for r in rows {
            let res = try await api.post("/api/v1/purchases", r)
            XCTAssertEqual(res.status, .created, res.body.string)
            ids.append(try res.content.decode(Id.self).id)
        }
        return ids
    }

    func testAnImportsFlagsAreFoundForWhatItTouchedAndRejectingReversesTheRows() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let office = try await apiClient(app, "office")
            let usual = (1...6).map { i in Row(buyerUnitId: f.hospital, seller: "户\(i)", amount: String(300 + i)) }
            _ = try await record(office, usual)
            let first = try await IncrementalFlagScan.run(on: app.db)
            XCTAssertEqual(first.rows, 6)
            let priced = { try await LedgerFlag.query(on: app.db).filter(\.$rule != "uncertified").all() }
            try await assertEqual(try await priced().count, 0, "six ordinary prices raise nothing")
            XCTAssertEqual(first.created, 6, "each row of a product no certification covered is flagged")
            let dear = try await record(office, [Row(buyerUnitId: f.school, seller: "户9", amount: "3000")])
            let second = try await IncrementalFlagScan.run(on: app.db)
            XCTAssertEqual(second.rows, 1, "only the new row is read as new")
            let flags = try await priced()
            XCTAssertEqual(flags.map(\.rule), ["priceOutlier"])
            XCTAssertEqual(flags.first?.rows, String(dear[0]))
            XCTAssertEqual(flags.first?.regionCode, Fixtures.longjiao, "the flag belongs to its rows' township")
            try await assertEqual(try await IncrementalFlagScan.run(on: app.db).rows, 0, "nothing new, nothing read")

            let clerk = try await apiClient(app, "clerk"), wuxi = try await apiClient(app, "office.wuxi")
            try await assertEqual(try await clerk.get("/api/v1/flags").content.decode([FlagDTO].self).count, 8,
                                  "the township sees the flags of its own rows")
            try await assertEqual(try await wuxi.get("/api/v1/flags").content.decode([FlagDTO].self).count, 0)
            struct Decision: Encodable { let status: String; var note: String? = "虚报单价" }
            let id = try XCTUnwrap(flags.first?.id)
            let byClerk = try await clerk.post("/api/v1/flags/\(id)/resolve", Decision(status: "rejected"))
            XCTAssertEqual(byClerk.status, .forbidden, "a township sees, the county decides")
            let noNote = try await office.post("/api/v1/flags/\(id)/resolve", Decision(status: "rejected", note: nil))
            XCTAssertEqual(noNote.status, .unprocessableEntity)
            let rejected = try await office.post("/api/v1/flags/\(id)/resolve", Decision(status: "rejected"))
            XCTAssertEqual(rejected.status, .ok, rejected.body.string)
            let reversal = try await Purchase.query(on: app.db).filter(\.$reversesID == dear[0]).all()
            XCTAssertEqual(reversal.map(\.amountFen), [-300_000], "the row is cancelled by a reversing entry")
            XCTAssertTrue(reversal.first?.reason?.contains("虚报单价") ?? false)
            let kept = try await Purchase.find(dear[0], on: app.db)
            XCTAssertEqual(kept?.amountFen, 300_000, "the original is never edited")
        }
    }

    func testASellersRowsBeyondWhatItOfferedAreFlagged() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            struct Offer: Encodable {
                let regionCode = Fixtures.village, sellerName = "示例村合作社", variety = "红橙", quantity = "100斤"
                let price = "3元/斤", supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558"
            }
            let office = try await apiClient(app, "office")
            try await assertEqual(try await office.post("/api/v1/offers", Offer()).status, .created)
            _ = try await record(office, [Row(buyerUnitId: f.hospital, quantity: "80斤", amount: "240"),
                                          Row(buyerUnitId: f.school, quantity: "60斤", amount: "180")])
            _ = try await IncrementalFlagScan.run(on: app.db)
            try await assertEqual(try await LedgerFlag.query(on: app.db).filter(\.$rule == "beyondSupply").count(), 0,
                                  "140斤 of 100斤 offered is within 1.5 times")
            _ = try await record(office, [Row(buyerUnitId: f.school, purchasedOn: "2026-11-12", quantity: "40斤",
                                              amount: "120")])
            _ = try await IncrementalFlagScan.run(on: app.db)
            let flag = try await LedgerFlag.query(on: app.db).filter(\.$rule == "beyondSupply").first()
            XCTAssertEqual(flag?.reason, "卖方“红橙”计划供应100斤，台账已记180斤，为计划的1.8倍（阈值1.5倍）")
            XCTAssertEqual(flag?.rows.split(separator: ",").count, 3)
        }
    }

    func testWhereTheJurisdictionSoRulesUncertifiedProductsDoNotCount() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let office = try await apiClient(app, "office")
            struct Rule: Encodable { let uncertifiedCounts = false }
            let set = try await office.put("/api/v1/ledger/settings", Rule())
            XCTAssertEqual(set.status, .ok, set.body.string)
            let ids = try await record(office, [Row(buyerUnitId: f.hospital, amount: "500")])
            let row = try await Purchase.find(ids[0], on: app.db)
            XCTAssertEqual(row?.state, "rejected")
            XCTAssertEqual(row?.reason, UncertifiedRule.reason, "booked as not counted, with the reason on it")
            struct Scan: Encodable { let from = "2026-11-01"; let to = "2026-11-30" }
            let flags = try await office.post("/api/v1/flags/scan", Scan()).content.decode([FlagDTO].self)
            XCTAssertEqual(flags.first { $0.rule == "uncertified" }?.reason,
                           "2026-11-10采购时，产地没有在认定有效期内的“红橙”帮扶产品（按本辖区规定不计入）")
            struct Back: Encodable { let uncertifiedCounts = true }
            _ = try await office.put("/api/v1/ledger/settings", Back())
            let counted = try await record(office, [Row(buyerUnitId: f.school, amount: "600")])
            try await assertEqual(try await Purchase.find(counted[0], on: app.db)?.state, "pending",
                                  "without the rule the row waits for its check as before")
        }
    }
}

/// Issue 15: a re-run reads only the blocks where something changed; `full` reads them all.
final class ReconciliationRerunTests: XCTestCase {
    func testAReRunReadsOnlyTheChangedBlocks() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let office = try await apiClient(app, "office")
            for unit in [f.hospital, f.school] {
                _ = try await office.post("/api/v1/purchases",
                                          ReconciliationTests.Row(buyerUnitId: unit, amount: "1800"))
            }
            struct Period: Encodable { let from = "2026-10-01"; let to = "2026-11-23"; var full: Bool? = nil }
            let first = try await office.post("/api/v1/reconciliations", Period()).content
                .decode(ReconciliationService.Summary.self)
            XCTAssertEqual([first.rows, first.blocks], [2, 2])
            XCTAssertFalse(first.incremental)
            let idle = try await office.post("/api/v1/reconciliations", Period()).content
                .decode(ReconciliationService.Summary.self)
            XCTAssertEqual([idle.rows, idle.townships], [0, 0], "nothing changed, nothing read")
            XCTAssertTrue(idle.incremental)
            var twin = ReconciliationTests.Row(buyerUnitId: f.school, amount: "1800")
            twin.purchasedOn = "2026-11-11"
            _ = try await office.post("/api/v1/purchases", twin)
            let rerun = try await office.post("/api/v1/reconciliations", Period()).content
                .decode(ReconciliationService.Summary.self)
            XCTAssertEqual([rerun.rows, rerun.blocks], [2, 1], "only the school's block is read again")
            let full = try await office.post("/api/v1/reconciliations", Period(full: true)).content
                .decode(ReconciliationService.Summary.self)
            XCTAssertEqual([full.rows, full.blocks], [3, 2])
        }
    }

    /// What a run leaves: every link (status included) and every outcome, in a fixed order.
    func state(_ app: Application) async throws -> [String] {
        let links = try await ReconciliationLink.query(on: app.db).all()
            .map { "\($0.purchaseID)-\($0.otherKind)\($0.otherID):\($0.status)" }
        let outcomes = try await PurchaseOutcome.query(on: app.db).all().map { "#\($0.purchaseID)=\($0.outcome)" }
        return (links + outcomes).sorted()
    }

    func testAnIncrementalRunLeavesWhatAFullRunWouldEvenAfterAnOverlappingPeriod() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let office = try await apiClient(app, "office")
            typealias Row = ReconciliationTests.Row
            struct Period: Encodable { var from = "2026-10-01"; var to = "2026-11-23"; var full: Bool? = nil }
            func run(_ p: Period) async throws {
                try await assertEqual(try await office.post("/api/v1/reconciliations", p).status, .ok)
            }
            var late = Row(buyerUnitId: f.school, amount: "900")
            late.purchasedOn = "2026-11-11"
            for r in [Row(buyerUnitId: f.hospital, amount: "1800"), Row(buyerUnitId: f.school, amount: "1500"), late] {
                try await assertEqual(try await office.post("/api/v1/purchases", r).status, .created)
            }
            try await run(Period())
            let file = ReconciliationTests.waybills([
                ["1100000000101", "2026-11-09", "张大山", "云阳县龙角镇示例村", "云阳县人民医院", "红橙",
                 "200", "8", "60"],
                ["1100000000102", "2026-11-10", "张大山", "云阳县龙角镇示例村", "云阳县实验中学", "红橙",
                 "200", "8", "60"],
            ])
            try await assertEqual(try await office.send(.POST,
                "/api/v1/logistics/import?carrier=%E4%B8%AD%E5%9B%BD%E9%82%AE%E6%94%BFEMS", data: file,
                type: .plainText).status, .ok)
            var twin = Row(buyerUnitId: f.hospital, amount: "1800")
            twin.purchasedOn = "2026-11-11"
            try await assertEqual(try await office.post("/api/v1/purchases", twin).status, .created)
            try await run(Period())
            let incremental = try await state(app)
            try await run(Period(full: true))
            let full = try await state(app)
            XCTAssertEqual(incremental, full, "a re-run of what changed equals a full run")
            XCTAssertTrue(incremental.contains { $0.contains("waybill") }, "\(incremental)")

            let first = try await ReconciliationLink.query(on: app.db).first()
            let proposal = try XCTUnwrap(first)
            try await assertEqual(try await office.post("/api/v1/reconciliations/links/\(proposal.id!)/reject",
                                                        [String: String]()).status, .ok)
            try await run(Period(from: "2026-11-10", to: "2026-11-10"))
            try await run(Period())
            let afterOverlap = try await state(app)
            try await run(Period(full: true))
            let fullAgain = try await state(app)
            XCTAssertEqual(afterOverlap, fullAgain,
                           "a run of an overlapping period, then the quarter's re-run: as a full run leaves it")
        }
    }
}
