@testable import App
import BangfuKit
import Fluent
import SQLKit
import XCTVapor

/// The ledger: proof before counting, no double counting, rollups that always equal the raw rows.
final class LedgerTests: XCTestCase {
    struct Body: Encodable {
        var buyerUnitId: Int? = nil
        var purchasedOn = "2026-11-01", originRegionCode = Fixtures.village, seller = "王小明", variety = "土豆"
        var quantity = "30斤", amount = "90元", purpose = "canteen", channel = "fiveInto"
        var orderId: String? = nil
    }
    struct P: Decodable { let id: Int; let counts: Bool; let state: String; let suspectedDuplicateOf: Int?; let amountFen: Int64 }
    struct Totals: Decodable {
        struct Line: Decodable { let key: String; let amountFen: Int64; let rows: Int }
        let counted: [Line]; let pending: Line
    }
    struct Verify: Encodable { let approve: Bool; var reason: String? = nil }
    struct Dup: Encodable { let of: Int? }

    func totals(_ api: APIClient, by: String = "channel") async throws -> Totals {
        try await api.get("/api/v1/purchases/totals?by=\(by)").content.decode(Totals.self)
    }

    func testOffPlatformRowsCountOnlyOnceVerified() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer"), office = try await apiClient(app, "office")
            let row = try await buyer.post("/api/v1/purchases", Body()).content.decode(P.self)
            XCTAssertFalse(row.counts)
            let before = try await totals(buyer)
            XCTAssertEqual(before.counted.count, 0)
            XCTAssertEqual(before.pending.amountFen, 9000)

            let proof = try await buyer.upload("/api/v1/purchases/\(row.id)/proof", AttachmentTests.pdf, name: "乡政府帮扶证明.pdf")
            XCTAssertEqual(proof.status, .created)
            struct Att: Decodable { let url: String }
            let url = try XCTUnwrap(try proof.content.decode([Att].self).first).url
            var officeBrowser = try await Browser.signIn(app, "office")
            try await assertEqual(Data(buffer: try await officeBrowser.get(url).body), AttachmentTests.pdf)
            var wuxiBrowser = try await Browser.signIn(app, "office.wuxi")
            try await assertEqual(try await wuxiBrowser.get(url).status, .notFound)

            let rejected = try await office.post("/api/v1/purchases/\(row.id)/verify", Verify(approve: false))
            XCTAssertEqual(try rejected.error().error.field, "reason", "a rejection needs its reason")
            let ok = try await office.post("/api/v1/purchases/\(row.id)/verify",
                                           Verify(approve: true, reason: "电话核实，证明后补")).content.decode(P.self)
            XCTAssertTrue(ok.counts)
            let after = try await totals(buyer)
            XCTAssertEqual(after.counted.map(\.key), ["fiveInto"])
            XCTAssertEqual(after.counted.first?.amountFen, 9000)
            XCTAssertEqual(after.pending.amountFen, 0)
            try await assertEqual(try await office.post("/api/v1/purchases/\(row.id)/verify",
                                                        Verify(approve: true, reason: "电话核实，证明后补")).status, .conflict)

            var platform = Body(); platform.channel = "p832"; platform.orderId = "832-0001"; platform.amount = "1.2万"
            let p = try await buyer.post("/api/v1/purchases", platform).content.decode(P.self)
            XCTAssertTrue(p.counts, "platform-reported rows count as reported")
            let again = try await buyer.post("/api/v1/purchases", platform)
            XCTAssertEqual(again.status, .conflict)
            XCTAssertEqual(try again.error().error.field, "orderId")
            try await assertEqual(try await totals(buyer).counted.first { $0.key == "p832" }?.amountFen, 1_200_000)
        }
    }

    /// The verification queue holds off-platform rows waiting for an office: never a platform row (it counts as
    /// reported), never a row already checked, and a platform row cannot be "verified".
    func testTheVerificationQueueHoldsOnlyOffPlatformRowsWaitingForAnOffice() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer"), office = try await apiClient(app, "office")
            let waiting = try await buyer.post("/api/v1/purchases", Body()).content.decode(P.self)
            var checked = Body(); checked.amount = "50元"
            let done = try await buyer.post("/api/v1/purchases", checked).content.decode(P.self)
            _ = try await office.post("/api/v1/purchases/\(done.id)/verify", Verify(approve: true, reason: "电话核实，证明后补"))
            var platform = Body(); platform.channel = "p832"; platform.orderId = "832-9"
            let reported = try await buyer.post("/api/v1/purchases", platform).content.decode(P.self)
            XCTAssertEqual(reported.state, "pending", "a platform row keeps its state; it counts without a check")

            struct Q: Decodable { let id: Int; let awaitsCheck: Bool; let stateName: String }
            let queue = try await office.get("/api/v1/purchases?awaiting=1").content.decode([Q].self)
            XCTAssertEqual(queue.map(\.id), [waiting.id])
            XCTAssertEqual(queue.map(\.awaitsCheck), [true])
            let all = try await office.get("/api/v1/purchases").content.decode([Q].self)
            XCTAssertEqual(Set(all.filter(\.awaitsCheck).map(\.id)), [waiting.id])
            XCTAssertEqual(all.first { $0.id == reported.id }?.stateName, "平台上报", "not shown as waiting for a check")
            XCTAssertEqual(all.first { $0.id == waiting.id }?.stateName, "待核实")

            let refused = try await office.post("/api/v1/purchases/\(reported.id)/verify",
                                                Verify(approve: true, reason: "电话核实，证明后补"))
            XCTAssertEqual(refused.status, .conflict)
            XCTAssertEqual(try refused.error().error.code, "via_platform")
            var page = try await Browser.signIn(app, "office")
            let html = try await page.get("/purchases?awaiting=1").body.string
            XCTAssertTrue(html.contains("id=\"verify-\(waiting.id)\""))
            XCTAssertFalse(html.contains("id=\"verify-\(reported.id)\""))
            let home = try await page.get("/").body.string
            XCTAssertTrue(home.contains("/purchases?awaiting=1"))
        }
    }

    /// The ledger list runs in entry order, newest first, whatever the purchase dates, and pages back by id; the
    /// page's link to earlier rows keeps its filters and is gone on the last page.
    func testTheListPagesBackInEntryOrder() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer")
            var ids: [Int] = []
            for (i, day) in ["2026-11-20", "2026-03-01", "2026-11-22"].enumerated() {
                var b = Body(); b.purchasedOn = day; b.amount = "\(10 + i)元"
                ids.append(try await buyer.post("/api/v1/purchases", b).content.decode(P.self).id)
            }
            let first = try await buyer.get("/api/v1/purchases?limit=2").content.decode([P].self)
            XCTAssertEqual(first.map(\.id), [ids[2], ids[1]], "newest entered first, not latest purchase date")
            let rest = try await buyer.get("/api/v1/purchases?limit=2&before=\(ids[1])").content.decode([P].self)
            XCTAssertEqual(rest.map(\.id), [ids[0]])
            try await assertEqual(try await buyer.get("/api/v1/purchases?limit=0").content.decode([P].self).count, 1, "at least one row a page")

            var page = try await Browser.signIn(app, "buyer")
            let html = try await page.get("/purchases?state=pending&limit=2").body.string
            XCTAssertTrue(html.contains("href=\"/purchases?state=pending&amp;limit=2&amp;before=\(ids[1])\""), "the link keeps the filters")
            let last = try await page.get("/purchases?state=pending&limit=2&before=\(ids[1])").body.string
            XCTAssertTrue(last.contains("/purchases/\(ids[0])"))
            XCTAssertFalse(last.contains("id=\"earlier\""), "no link past the last page")
        }
    }

    /// The list page's filter form: its empty fields filter nothing, its choices narrow the rows and stay chosen.
    func testTheListPageFiltersByItsForm() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer")
            var platform = Body(); platform.channel = "p832"; platform.orderId = "832-31"
            let reported = try await buyer.post("/api/v1/purchases", platform).content.decode(P.self)
            var march = Body(); march.purchasedOn = "2026-03-05"; march.amount = "30元"
            let early = try await buyer.post("/api/v1/purchases", march).content.decode(P.self)
            var page = try await Browser.signIn(app, "buyer")
            func ids(_ query: String) async throws -> Set<Int> {
                let html = try await page.get("/purchases?" + query).body.string
                return Set([reported.id, early.id].filter { html.contains("href=\"/purchases/\($0)\"") })
            }
            try await assertEqual(try await ids("channel=&purpose=&state=&from=&to="), [reported.id, early.id])
            try await assertEqual(try await ids("channel=p832&purpose=&state=&from=&to="), [reported.id])
            try await assertEqual(try await ids("channel=&purpose=&state=&from=2026-03&to=2026-03"), [early.id])
            try await assertEqual(try await ids("counted=1"), [reported.id], "the off-platform row waits for its proof")
            let form = try await page.get("/purchases?channel=p832&from=2026-03").body.string
            XCTAssertTrue(form.contains("<option value=\"p832\" selected>"))
            XCTAssertTrue(form.contains("name=\"from\" value=\"2026-03\""))
        }
    }

    func testALikelyDuplicateIsFlaggedAndOnceLinkedIsNotSummed() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let buyer = try await apiClient(app, "buyer"), office = try await apiClient(app, "office")
            var platform = Body(); platform.channel = "p832"; platform.orderId = "832-7"
            let first = try await buyer.post("/api/v1/purchases", platform).content.decode(P.self)
            var byHand = Body(); byHand.purchasedOn = "2026-11-03"      // the same purchase, entered again
            let second = try await office.post("/api/v1/purchases", { var b = byHand; b.buyerUnitId = f.hospital; return b }()).content.decode(P.self)
            XCTAssertEqual(second.suspectedDuplicateOf, first.id)
            var later = Body(); later.purchasedOn = "2026-11-09"
            let third = try await buyer.post("/api/v1/purchases", later).content.decode(P.self)
            XCTAssertNil(third.suspectedDuplicateOf, "six days apart is another purchase")

            _ = try await office.post("/api/v1/purchases/\(second.id)/verify",
                                      Verify(approve: true, reason: "电话核实，证明后补"))
            try await assertEqual(try await totals(buyer, by: "month").counted.first?.amountFen, 18_000, "double counted until linked")
            let linked = try await office.post("/api/v1/purchases/\(second.id)/duplicate", Dup(of: first.id)).content.decode(P.self)
            XCTAssertFalse(linked.counts)
            try await assertEqual(try await totals(buyer, by: "month").counted.first?.amountFen, 9_000, "counted once")
        }
    }

    func testUnitsSeeTheirOwnRowsAndOfficesTheirRegion() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            _ = try await apiClient(app, "buyer").post("/api/v1/purchases", Body())
            let wuxi = try await apiClient(app, "office.wuxi")
            var theirs = Body(); theirs.buyerUnitId = f.wuxiUnit; theirs.originRegionCode = Fixtures.wuxiTown
            theirs.channel = "directed"     // 巫溪's 八销: 云阳's channels are not its own
            try await assertEqual(try await wuxi.post("/api/v1/purchases", theirs).status, .created)
            var foreign = Body(); foreign.buyerUnitId = f.hospital
            try await assertEqual(try await wuxi.post("/api/v1/purchases", foreign).error().error.code, "out_of_scope")
            try await assertEqual(try await apiClient(app, "buyer").get("/api/v1/purchases").content.decode([P].self).count, 1)
            try await assertEqual(try await wuxi.get("/api/v1/purchases").content.decode([P].self).count, 1)
            try await assertEqual(try await apiClient(app, "lead").get("/api/v1/purchases").content.decode([P].self).count, 0,
                           "the hospital is not in the education system")
            var future = Body(); future.purchasedOn = "2026-12-01"
            try await assertEqual(try await apiClient(app, "buyer").post("/api/v1/purchases", future).error().error.field, "purchasedOn")
        }
    }

    /// After random writes, verifications and duplicate links, every rollup equals a fresh aggregate of the rows.
    func testRollupsEqualAFreshAggregateAfterRandomWrites() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 12, day: 31))
            var rng = SeededRandom(seed: 2026)
            let office = try await apiClient(app, "office")
            let channels = ["p832", "fiveInto", "ecommerce", "fair"], purposes = ["canteen", "unionWelfare", "condolence"]
            var ids: [Int] = []
            for i in 0..<60 {
                var b = Body()
                b.buyerUnitId = [f.hospital, f.school][rng.next(2)]
                b.purchasedOn = "2026-\(10 + rng.next(3))-\(10 + rng.next(10))"
                b.seller = ["甲", "乙", "丙"][rng.next(3)]; b.variety = ["土豆", "红橙"][rng.next(2)]
                b.originRegionCode = [Fixtures.village, Fixtures.wuxiTown][rng.next(2)]
                b.amount = "\(1 + rng.next(5))\(rng.next(2) == 0 ? "0" : "").5元"
                b.channel = channels[rng.next(channels.count)]; b.purpose = purposes[rng.next(purposes.count)]
                if b.channel == "p832" { b.orderId = "o\(i)" }
                let res = try await office.post("/api/v1/purchases", b)
                XCTAssertEqual(res.status, .created, res.body.string)
                ids.append(try res.content.decode(P.self).id)
                switch rng.next(4) {
                case 0: _ = try await office.post("/api/v1/purchases/\(ids.last!)/verify",
                                                  Verify(approve: true, reason: "电话核实，证明后补"))
                case 1: _ = try await office.post("/api/v1/purchases/\(ids.last!)/verify", Verify(approve: false, reason: "证明不全"))
                case 2 where ids.count > 1:
                    _ = try await office.post("/api/v1/purchases/\(ids.last!)/duplicate", Dup(of: ids[rng.next(ids.count - 1)]))
                default: break
                }
            }
            let rows = try await Purchase.query(on: app.db).all()
            var fresh: [String: (Int64, Int)] = [:]
            for p in rows {
                let key = "\(p.purchasedOn.prefix(7))|\(p.$buyerUnit.id)|\(p.channelCode)|\(p.purpose)|\(p.counts)"
                fresh[key, default: (0, 0)].0 += p.amountFen
                fresh[key, default: (0, 0)].1 += 1
            }
            var rolled: [String: (Int64, Int)] = [:]
            for r in try await PurchaseRollup.query(on: app.db).all() where r.rowCount != 0 || r.amountFen != 0 {
                let key = "\(r.month)|\(r.buyerUnitID)|\(r.channelCode)|\(r.purpose)|\(r.counted)"
                rolled[key, default: (0, 0)].0 += r.amountFen
                rolled[key, default: (0, 0)].1 += r.rowCount
            }
            XCTAssertEqual(rolled.mapValues { "\($0.0)/\($0.1)" }, fresh.mapValues { "\($0.0)/\($0.1)" })
            // The coarser grains hold the same sums by their own keys.
            struct Sum: Decodable { let key: String; let amount: Int64; let rows: Int }
            let sql = app.db as! any SQLDatabase
            for (table, column, keyOf) in [
                ("unit_rollups", "buyer_unit_id", { (p: Purchase) in "\(p.$buyerUnit.id)|\(p.channelCode)|\(p.counts)" }),
                ("origin_rollups", "origin_township", { (p: Purchase) in "\(p.originRegionCode.prefix(9))000|\(p.channelCode)|\(p.counts)" }),
                ("county_rollups", "buyer_county || origin_county", { (p: Purchase) in
                    "\(p.buyerRegionCode.prefix(6))000000\(p.originRegionCode.prefix(6))000000|\(p.channelCode)|\(p.counts)" }),
            ] {
                let sums = try await sql.raw("""
                    SELECT \(unsafeRaw: column) || '|' || channel_code || '|' || CASE WHEN counted THEN 'true' ELSE 'false' END AS key,
                        CAST(SUM(amount_fen) AS BIGINT) AS amount, CAST(SUM(row_count) AS BIGINT) AS rows
                    FROM \(ident: table) GROUP BY 1 HAVING SUM(row_count) <> 0
                    """).all(decoding: Sum.self)
                var expected: [String: String] = [:], totals: [String: (Int64, Int)] = [:]
                for p in rows { totals[keyOf(p), default: (0, 0)].0 += p.amountFen; totals[keyOf(p), default: (0, 0)].1 += 1 }
                for (k, v) in totals { expected[k] = "\(v.0)/\(v.1)" }
                XCTAssertEqual(Dictionary(uniqueKeysWithValues: sums.map { ($0.key, "\($0.amount)/\($0.rows)") }), expected, table)
            }
            // What was bought in or came from a region (b + o − c), for a county, both counties' city, the province
            // and a county with only the origin side.
            struct Total: Decodable { let amount: Int64? }
            for prefix in ["500235", "500238", "5002", "50"] {
                let got = try await sql.raw("""
                    SELECT CAST(\(Rollups.inOrFromSum("amount_fen")) AS BIGINT) AS amount FROM region_rollups
                    WHERE counted = \(bind: true) AND \(Rollups.inOrFrom(prefix: prefix))
                    """).first(decoding: Total.self)?.amount ?? 0
                let want = rows.filter { $0.counts && ($0.buyerRegionCode.hasPrefix(prefix) || $0.originRegionCode.hasPrefix(prefix)) }
                XCTAssertEqual(got, want.reduce(0) { $0 + $1.amountFen }, prefix)
            }
            // Benefits hold every counted row's amount, by the village (or township) it came from.
            struct Village: Decodable { let village_code: String; let amount: Int64 }
            let benefits = try await sql.raw("""
                SELECT village_code, CAST(SUM(amount_fen) AS BIGINT) AS amount FROM purchase_benefits GROUP BY village_code HAVING SUM(amount_fen) <> 0
                """).all(decoding: Village.self)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: benefits.map { ($0.village_code, $0.amount) }),
                           Dictionary(grouping: rows.filter(\.counts), by: \.originRegionCode).mapValues { $0.reduce(0) { $0 + $1.amountFen } })
            XCTAssertTrue(Set(rows.map(\.originRegionCode)).count == 2 && rows.contains { $0.counts && $0.originRegionCode == Fixtures.wuxiTown })
            XCTAssertGreaterThan(rows.filter(\.counts).count, 0)
            XCTAssertGreaterThan(rows.filter { !$0.counts }.count, 0)
        }
    }
}

/// A small deterministic generator, so a failing sequence can be replayed.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
}

/// Platform order exports: columns named by configuration, all-or-nothing, orders counted once.
final class PlatformImportTests: XCTestCase {
    struct Report: Decodable {
        struct Row: Decodable { let row: Int; let column: String; let code: String; let message: String }
        let created: Int; let skipped: Int; let errors: [Row]
    }

    func post(_ api: APIClient, _ csv: String, platform: String = "p832") async throws -> (HTTPStatus, Report) {
        let res = try await api.send(.POST, "/api/v1/purchases/import?platform=\(platform)", data: Data(csv.utf8),
                                     type: HTTPMediaType(type: "text", subType: "csv"))
        return (res.status, try res.content.decode(Report.self))
    }

    let export = """
    订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额
    832-A1,云阳县人民医院,2026-11-02,云阳县龙角镇示例村,龙角镇柑橘合作社,云阳红橙,500斤,2250元
    832-A2,云阳县实验中学,2026/11/3,500235105201,龙角镇柑橘合作社,土豆,1000斤,1500

    """

    func testAPlatformExportImportsOnceAndCountsAsReported() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            let (status, report) = try await post(office, export)
            XCTAssertEqual(status, .ok, "\(report.errors)")
            XCTAssertEqual([report.created, report.skipped], [2, 0])
            let again = try await post(office, export).1
            XCTAssertEqual([again.created, again.skipped], [0, 2], "orders already in the ledger are not summed again")
            struct Totals: Decodable { struct Line: Decodable { let key: String; let amountFen: Int64; let rows: Int }; let counted: [Line] }
            let totals = try await office.get("/api/v1/purchases/totals").content.decode(Totals.self)
            XCTAssertEqual(totals.counted.map(\.amountFen), [375_000])
            XCTAssertEqual(totals.counted.map(\.rows), [2])
        }
    }

    func testABadExportIsRejectedRowByRowInThePlatformsOwnColumnNames() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let bad = export.replacingOccurrences(of: "2250元", with: "三元").replacingOccurrences(of: "云阳县实验中学", with: "不存在的单位")
            let (status, report) = try await post(try await apiClient(app, "office"), bad)
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertEqual(report.errors.map(\.row), [2, 3])
            XCTAssertEqual(report.errors.map(\.column), ["订单金额", "采购单位"])
            try await assertEqual(try await Purchase.query(on: app.db).count(), 0)
            let buyer = try await apiClient(app, "buyer")
            try await assertEqual(try await post(buyer, export).1.errors.map(\.column), ["采购单位"], "a unit imports only its own orders")
        }
    }

    /// Imported rows are written in bulk (COPY's text format on PostgreSQL): the characters it reserves, and
    /// a reference that reads like its NULL marker, arrive as they were sent.
    func testImportedCellsKeepEveryCharacter() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let csv = "订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额\n"
                + "\\N,云阳县人民医院,2026-11-02,500235105201,\"合作社\\甲\",\"红橙\t特级\\n\",5斤,20元\n"
            let (status, report) = try await post(try await apiClient(app, "office"), csv)
            XCTAssertEqual(status, .ok, "\(report.errors)")
            let row = try await Purchase.query(on: app.db).first()
            XCTAssertEqual(row?.sourceRef, "\\N")
            XCTAssertEqual(row?.variety, "红橙\t特级\\n")
            XCTAssertEqual(row?.amountFen, 2_000)
            XCTAssertEqual(row?.viaPlatform, true)
            XCTAssertNil(row?.reason)
            XCTAssertNotNil(row?.createdAt)
        }
    }

    func testANewPlatformIsConfigurationNotCode() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let mapping = PlatformMapping(orderID: "order_no", buyer: "buyer", date: "date", origin: "origin", seller: "shop",
                                          variety: "item", quantity: "qty", amount: "total", purpose: "use", defaultPurpose: .other)
            try await Platform(code: "cityMall", name: "本市消费帮扶商城", channelCode: "cityPlatform", mapping: mapping).create(on: app.db)
            let csv = "order_no,buyer,date,origin,shop,item,qty,total,use\nM-1,云阳县人民医院,2026-11-05,500235105201,合作社,蜂蜜,10斤,600元,工会福利\n"
            let (status, report) = try await post(try await apiClient(app, "office"), csv, platform: "cityMall")
            XCTAssertEqual(status, .ok, "\(report.errors)")
            let row = try await Purchase.query(on: app.db).first()
            XCTAssertEqual(row?.channelCode, "cityPlatform")
            XCTAssertEqual(row?.purpose, "unionWelfare")
            XCTAssertEqual(row?.sourceRef, "M-1")
        }
    }

    /// More rows than one chunk: every row written once, twins across chunks and within the file flagged,
    /// the rollups equal to the rows, and the same file again adds nothing.
    func testALargeExportIsImportedInChunksAndTwinsAcrossChunksAreFlagged() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            var lines = ["订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额"]
            for i in 0..<4_500 {
                lines.append("L-\(i),云阳县人民医院,2026-10-\(10 + i % 15),500235105201,户\(i % 1_000),土豆,\(1 + i % 7)斤,\(100 + i)元")
            }
            lines.append("L-twin,云阳县人民医院,2026-10-11,500235105201,户1,土豆,2斤,101元")   // row L-1's twin, a chunk later
            let csv = lines.joined(separator: "\n")
            let office = try await apiClient(app, "office")
            let (status, report) = try await post(office, csv)
            XCTAssertEqual(status, .ok, "\(report.errors.prefix(3))")
            XCTAssertEqual(report.created, 4_501)
            let twin = try await Purchase.query(on: app.db).filter(\.$sourceRef == "L-twin").first()
            let first = try await Purchase.query(on: app.db).filter(\.$sourceRef == "L-1").first()
            XCTAssertEqual(twin?.suspectedDuplicateOf, first?.id)
            let rollup = try await PurchaseRollup.query(on: app.db).all().reduce(Int64(0)) { $0 + $1.amountFen }
            let raw = try await Purchase.query(on: app.db).all().reduce(Int64(0)) { $0 + $1.amountFen }
            XCTAssertEqual(rollup, raw)
            XCTAssertEqual(raw, (0..<4_500).reduce(Int64(0)) { $0 + Int64(100 + $1) * 100 } + 10_100)
            try await assertEqual(try await post(office, csv).1.skipped, 4_501, "the same file again adds nothing")
            try await assertEqual(try await Purchase.query(on: app.db).count(), 4_501)
        }
    }

    func testAnImportCanRunInTheBackgroundWithProgress() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            struct Job: Decodable { let id: String; let state: String; let read: Int; let created: Int }
            let started = try await office.send(.POST, "/api/v1/purchases/import?platform=p832&async=1", data: Data(export.utf8),
                                                type: HTTPMediaType(type: "text", subType: "csv"))
            XCTAssertEqual(started.status, .accepted)
            let id = try started.content.decode(Job.self).id
            var job = try started.content.decode(Job.self)
            // Polls until the job ends (a loaded machine may take seconds); the assertions, not a clock, judge it.
            let patience = ContinuousClock.now + .seconds(120)
            while ["queued", "running"].contains(job.state), ContinuousClock.now < patience {
                try await Task.sleep(for: .milliseconds(50))
                job = try await office.get("/api/v1/imports/\(id)").content.decode(Job.self)
            }
            XCTAssertEqual(job.state, "done")
            XCTAssertEqual([job.read, job.created], [2, 2])
            try await assertEqual(try await apiClient(app, "lead").get("/api/v1/imports/\(id)").status, .notFound, "a job is its starter's")
        }
    }
}
