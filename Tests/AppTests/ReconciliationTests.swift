@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 15 (first part): carriers' waybills imported through their mapping, a quarter reconciled, proposals
/// decided, 可溯源率 read; a township sees its own.
final class ReconciliationTests: XCTestCase {
    static let today = LocalDate(year: 2026, month: 11, day: 23)

    struct Row: Encodable {
        let buyerUnitId: Int; var purchasedOn = "2026-11-10"; var originRegionCode = Fixtures.village
        var seller = "示例村合作社"; var variety = "红橙"; var quantity = "400斤"; var amount: String
        var purpose = "canteen"; var channel = "fiveInto"
    }

    static func waybills(_ rows: [[String]]) -> Data {
        let header = ["邮件号", "收寄日期", "寄件人", "寄件人地址", "收件单位", "内件品名", "重量(kg)", "件数", "邮费(元)"]
        return Data((([header] + rows).map { CSV.line($0) }.joined(separator: "\n") + "\n").utf8)
    }

    func testAQuarterIsReconciledAgainstTheWaybillsAndAnOfficeDecides() async throws {
        try await withApp { app, f in
            app.setToday(Self.today)
            let office = try await apiClient(app, "office")
            let agreed = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.hospital, amount: "1800"))
            let contra = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.school, amount: "1500"))
            struct Id: Decodable { let id: Int }
            let agreedID = try agreed.content.decode(Id.self).id, contraID = try contra.content.decode(Id.self).id
            let file = Self.waybills([
                ["1100000000001", "2026-11-09", "张大山", "云阳县龙角镇示例村5组", "云阳县人民医院", "云阳红橙", "200", "8", "60"],
                ["1100000000002", "2026/11/09 10:00", "张大山", "云阳县龙角镇示例村", "云阳县实验中学", "红橙", "3", "1", "12"],
            ])
            let imported = try await office.send(.POST,
                "/api/v1/logistics/import?carrier=%E4%B8%AD%E5%9B%BD%E9%82%AE%E6%94%BFEMS",
                                                 data: file, type: .plainText)
            XCTAssertEqual(imported.status, .ok, imported.body.string)
            try await assertEqual(try imported.content.decode(LogisticsImport.Report.self).added, 2)
            let again = try await office.send(.POST,
                "/api/v1/logistics/import?carrier=%E4%B8%AD%E5%9B%BD%E9%82%AE%E6%94%BFEMS",
                                              data: file, type: .plainText)
            try await assertEqual(try again.content.decode(LogisticsImport.Report.self).added, 0,
                "the same file adds nothing")
            let stored = try await LogisticsWaybill.query(on: app.db).all()
            XCTAssertEqual(stored.map(\.senderMasked), [Mask.name("张大山"), Mask.name("张大山")],
                "the sender kept as a mask")
            XCTAssertFalse(stored.contains { $0.senderAddress.contains("张大山") })
            let elsewhere = Self.waybills([["1100000000003", "2026-11-09", "李四", "巫溪县示例镇", "云阳县人民医院", "土豆",
                "5", "1",
                "9"]])
            let refused = try await office.send(.POST,
                "/api/v1/logistics/import?carrier=%E4%B8%AD%E5%9B%BD%E9%82%AE%E6%94%BFEMS",
                                                data: elsewhere, type: .plainText)
            XCTAssertEqual(refused.status, .unprocessableEntity)
            try await assertEqual(try refused.content.decode(LogisticsImport.Report.self).errors.map(\.code),
                ["unknown_place"])

            struct Period: Encodable { let from = "2026-10-01"; let to = "2026-11-23" }
            let run = try await office.post("/api/v1/reconciliations", Period())
            XCTAssertEqual(run.status, .ok, run.body.string)
            let summary = try run.content.decode(ReconciliationService.Summary.self)
            XCTAssertEqual(summary.outcomes, ["twoWay": 1, "contradiction": 1],
                "the hospital's row and its waybill agree")
            let links = try await office.get("/api/v1/reconciliations/links?from=2026-10-01&to=2026-11-23")
                .content.decode([LinkDTO].self)
            let bad = try XCTUnwrap(links.first { $0.purchaseId == contraID })
            XCTAssertTrue(bad.contradicts)
            XCTAssertTrue(bad.reasons.contains("重量不符：运单3kg，台账400斤"), bad.reasons)
            let good = try XCTUnwrap(links.first { $0.purchaseId == agreedID })
            try await assertEqual(try await office.post("/api/v1/reconciliations/links/\(good.id)/confirm",
                                                        [String: String]()).status, .ok)
            try await assertEqual(try await office.post("/api/v1/reconciliations/links/\(bad.id)/reject",
                                                        [String: String]()).status, .ok)
            _ = try await office.post("/api/v1/reconciliations", Period())
            let kept = try await ReconciliationLink.query(on: app.db).sort(\.$id).all()
            XCTAssertEqual(Set(kept.map(\.status)), ["confirmed", "rejected"], "a re-run keeps the office's decisions")
            try await assertEqual(try await PurchaseOutcome.query(on: app.db).filter(\.$purchaseID == contraID).first()?.outcome,
                                  "single", "a rejected proposal no longer counts")

            struct Trace: Decodable {
                struct L: Decodable { let name: String; let rate: String; let tracedFen: Int64 }
                let total: L; let systems: [L]
            }
            struct Verify: Encodable { let approve = true; let reason = "有发票" }
            for id in [agreedID, contraID] {
                try await assertEqual(try await office.post("/api/v1/purchases/\(id)/verify", Verify()).status, .ok)
            }
            let trace = try await office.get("/api/v1/reconciliations/traceability?from=2026-10-01&to=2026-11-23")
                .content.decode(Trace.self)
            XCTAssertEqual(trace.total.tracedFen, 180_000)
            XCTAssertEqual(trace.total.rate, "54.55%", "1,800 of 3,300 counted is confirmed by a second source")
            XCTAssertEqual(trace.systems.map(\.name), ["（不属于任何系统）", "教育系统"])
            XCTAssertEqual(trace.systems.map(\.rate), ["100.00%", "0.00%"],
                "the hospital's row traced, the school's not")

            let sheet = try await office.get("/api/v1/reconciliations/export?from=2026-10-01&to=2026-11-23&by=township")
            XCTAssertEqual(sheet.status, .ok)
            let cells = try XLSX.read(Data(buffer: sheet.body))
            XCTAssertEqual(cells.first { $0.first == "云阳县龙角镇" }.map { Array($0[1...5]) }, ["2", "0", "1", "1", "0"],
                           "two rows: one agreed with its waybill, one whose contradiction was rejected")
            let bySystem = try XLSX.read(Data(buffer: try await office.get(
                "/api/v1/reconciliations/export?from=2026-10-01&to=2026-11-23&by=system").body))
            XCTAssertEqual(Set(bySystem.dropFirst(2).map { $0[0] }), ["教育系统", "（不属于任何系统）"])
            let clerk = try await apiClient(app, "clerk"), wuxi = try await apiClient(app, "office.wuxi")
            try await assertEqual(try await clerk.get("/api/v1/reconciliations/links?from=2026-10-01&to=2026-11-23")
                .content.decode([LinkDTO].self).count, 2, "the township sees its own")
            try await assertEqual(try await wuxi.get("/api/v1/reconciliations/links?from=2026-10-01&to=2026-11-23")
                .content.decode([LinkDTO].self).count, 0)
            try await assertEqual(try await clerk.post("/api/v1/reconciliations", Period()).status, .forbidden)
        }
    }
}

/// Issue 15: every counted yuan attributed to households, to the 分; what no household is found for stays apart.
final class HouseholdAttributionTests: XCTestCase {
    func testACooperativesSalesAreSharedByItsHouseholdsAndAHouseholdsOwnAreItsOwn() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let neighbour = try Household.sealed(region: RegionCode(Fixtures.village)!, status: .liftedOut, name: "王秀英",
                                                 id: ResidentID("500235196503120028")!, phone: "13800000002", members: 2,
                                                 cipher: app.fieldCipher)
            try await neighbour.create(on: app.db)
            for h in [f.household, neighbour.id!] {
                let link = SupplierHousehold()
                link.$supplier.id = f.coop; link.$household.id = h; link.weight = 1
                try await link.create(on: app.db)
            }
            let office = try await apiClient(app, "office")
            struct Row: Encodable {
                let buyerUnitId: Int; var purchasedOn = "2026-11-10"; var originRegionCode = Fixtures.village
                var supplierId: Int? = nil; let seller: String; var variety = "红橙"; var quantity = "20斤"
                let amount: String; var purpose = "canteen"; var channel = "fiveInto"
            }
            struct Id: Decodable { let id: Int }
            struct Verify: Encodable { let approve = true; let reason = "有发票" }
            for body in [Row(buyerUnitId: f.hospital, seller: f.householdName, amount: "90"),
                         Row(buyerUnitId: f.hospital, supplierId: f.coop, seller: "龙角镇柑橘合作社", amount: "100.01"),
                         Row(buyerUnitId: f.hospital, seller: "王五", amount: "30")] {
                let res = try await office.post("/api/v1/purchases", body)
                XCTAssertEqual(res.status, .created, res.body.string)
                let id = try res.content.decode(Id.self).id
                try await assertEqual(try await office.post("/api/v1/purchases/\(id)/verify", Verify()).status, .ok)
            }
            let report = try await office.get("/api/v1/benefits/households?year=2026")
                .content.decode(HouseholdAttribution.Report.self)
            XCTAssertEqual(report.households.map(\.id), [f.household, neighbour.id!])
            XCTAssertEqual(report.households.map(\.amountFen), [9_000 + 5_001, 5_000],
                           "the cooperative's 100.01元 split equally, the odd 分 to the lower id")
            XCTAssertEqual(report.attributedFen + report.unattributedFen, 9_000 + 10_001 + 3_000, "to the 分")
            XCTAssertEqual(report.unattributedFen, 3_000, "王五 is no household: reported apart")
            XCTAssertEqual(report.households.map(\.name), [Mask.name(f.householdName), Mask.name("王秀英")])
            XCTAssertEqual([report.reached, report.notReached], [2, 0])
            var page = try await Browser.signIn(app, "office")
            let html = try await page.get("/purchases/benefits").body.string
            XCTAssertTrue(html.contains("id=\"attribution-households\""))
            XCTAssertFalse(html.contains(f.householdName), "names masked on the page")
            try await assertEqual(try await apiClient(app, "buyer").get("/api/v1/benefits/households").status,
                .forbidden)
        }
    }
}

/// Issue 15: anomaly flags on the ledger, with figures, resolved by an office and kept across scans.
final class LedgerFlagTests: XCTestCase {
    func testAPriceFarFromTheMonthIsFlaggedResolvedWithANoteAndKeptAcrossScans() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let office = try await apiClient(app, "office")
            struct Row: Encodable {
                let buyerUnitId: Int; var purchasedOn = "2026-11-10"; var originRegionCode = Fixtures.village
                let seller: String; var variety = "红橙"; var quantity = "100斤"; let amount: String
                var purpose = "canteen"; var channel = "fiveInto"
            }
            for (i, yuan) in [450, 460, 440, 450, 470, 450, 900].enumerated() {
                let res = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.hospital, seller: "卖方\(i)",
                    amount: "\(yuan)"))
                XCTAssertEqual(res.status, .created, res.body.string)
            }
            struct Period: Encodable { let from = "2026-11-01"; let to = "2026-11-23" }
            let all = try await office.post("/api/v1/flags/scan", Period()).content.decode([FlagDTO].self)
            XCTAssertEqual(all.filter { $0.rule == "uncertified" }.count, 7,
                "no certified 红橙 from the village: every row")
            XCTAssertEqual(all.first { $0.rule == "uncertified" }?.reason,
                           "2026-11-10采购时，产地没有在认定有效期内的“红橙”帮扶产品")
            let flags = all.filter { $0.rule != "uncertified" }
            XCTAssertEqual(flags.map(\.rule), ["priceOutlier"])
            XCTAssertEqual(flags.first?.reason, "单价9元/斤，2026-11同品种中位数4.5元/斤，偏离评分30.35（阈值3.5）")
            let flag = try XCTUnwrap(flags.first)
            let noNote = try await office.post("/api/v1/flags/\(flag.id)/resolve", ["status": "accepted"])
            XCTAssertEqual(try noNote.error().error.field, "note")
            let resolved = try await office.post("/api/v1/flags/\(flag.id)/resolve",
                                                 ["status": "accepted", "note": "礼盒装，单价属实"])
            try await assertEqual(try resolved.content.decode(FlagDTO.self).status, "accepted")
            let again = try await office.post("/api/v1/flags/scan", Period()).content.decode([FlagDTO].self)
            XCTAssertEqual(again.filter { $0.rule == "priceOutlier" }.map(\.status), ["accepted"],
                "a re-scan keeps the decision")
            XCTAssertEqual(again.count, all.count, "and adds nothing twice")
            let clerk = try await apiClient(app, "clerk")
            try await assertEqual(try await clerk.get("/api/v1/flags").content.decode([FlagDTO].self).count, all.count,
                                  "a township sees the flags of its own rows")
            try await assertEqual(try await clerk.post("/api/v1/flags/scan", Period()).status, .forbidden)
            var t = Anomalies.Thresholds()
            t.priceScore = 0
            try await assertEqual(try await office.put("/api/v1/flags/thresholds", t).status, .unprocessableEntity)
        }
    }
}

/// Issue 15: 可溯源率 in the quarterly bulletin, kept as published.
final class BulletinTraceabilityTests: XCTestCase {
    func testAPublishedBulletinKeepsTheTraceabilityItWasPublishedWith() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            let office = try await apiClient(app, "office")
            struct Row: Encodable {
                let buyerUnitId: Int; var purchasedOn = "2026-09-10"; var originRegionCode = Fixtures.village
                var seller = "示例村合作社"; var variety = "红橙"; var quantity = "400斤"; let amount: String
                var purpose = "canteen"; var channel = "fiveInto"
            }
            struct Id: Decodable { let id: Int }
            struct Verify: Encodable { let approve = true; let reason = "有发票" }
            let id = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.hospital, amount: "1800"))
                .content.decode(Id.self).id
            try await assertEqual(try await office.post("/api/v1/purchases/\(id)/verify", Verify()).status, .ok)
            let file = ReconciliationTests.waybills([
                ["1100000000031", "2026-09-09", "张大山", "云阳县龙角镇示例村", "云阳县人民医院", "红橙", "200", "8", "60"]])
            _ = try await office.send(.POST, "/api/v1/logistics/import?carrier=%E4%B8%AD%E5%9B%BD%E9%82%AE%E6%94%BFEMS",
                                      data: file, type: .plainText)
            struct Period: Encodable { let from = "2026-07-01"; let to = "2026-09-30" }
            _ = try await office.post("/api/v1/reconciliations", Period())
            let published = try await office.post("/api/v1/bulletins", ["year": 2026, "quarter": 3])
            XCTAssertEqual(published.status, .created, published.body.string)
            let bulletinID = try published.content.decode(Id.self).id
            struct Shown: Decodable { struct B: Decodable { let traceability: String? }; let bulletin: B }
            let other = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.school, amount: "1800"))
                .content.decode(Id.self).id
            try await assertEqual(try await office.post("/api/v1/purchases/\(other)/verify", Verify()).status, .ok)
            _ = try await office.post("/api/v1/reconciliations", Period())
            let raw = try await office.get("/api/v1/bulletins/\(bulletinID)").body.string
            XCTAssertTrue(raw.contains("\"traceability\":\"100.00%\""), raw)
            struct Trace: Decodable { struct L: Decodable { let rate: String }; let total: L }
            try await assertEqual(try await office.get("/api/v1/reconciliations/traceability?from=2026-07-01&to=2026-09-30")
                .content.decode(Trace.self).total.rate, "50.00%", "today's figure moved; the bulletin's did not")
        }
    }
}

extension LedgerFlagTests {
    func testARowIsFlaggedUncertifiedOnlyWhenNoCertificationOfItsPlaceAndVarietyCoveredItsDate() async throws {
        try await withApp { app, f in
            app.setToday(ReconciliationTests.today)
            var offer = OrderTests.OfferBody()
            offer.variety = "红橙"
            _ = try await OrderTests.certifiedOffer(app, offer)      // certified 2026-11-01 to 2027-10-31
            let office = try await apiClient(app, "office")
            struct Row: Encodable {
                let buyerUnitId: Int; let purchasedOn: String; var originRegionCode = Fixtures.village
                var seller = "示例村合作社"; let variety: String; var quantity = "10斤"; var amount = "45"
                var purpose = "canteen"; var channel = "fiveInto"
            }
            struct Id: Decodable { let id: Int }
            var ids: [Int] = []
            for (day, variety) in [("2026-11-10", "红橙"), ("2026-10-20", "红橙"), ("2026-11-10", "土豆")] {
                let res = try await office.post("/api/v1/purchases", Row(buyerUnitId: f.hospital, purchasedOn: day,
                    variety: variety))
                ids.append(try res.content.decode(Id.self).id)
            }
            struct Period: Encodable { let from = "2026-10-01"; let to = "2026-11-23" }
            let flags = try await office.post("/api/v1/flags/scan", Period()).content.decode([FlagDTO].self)
            XCTAssertEqual(flags.filter { $0.rule == "uncertified" }.flatMap(\.rows).sorted(), [ids[1], ids[2]],
                           "covered on its date: not flagged; before the certificate, or another variety: flagged")
        }
    }
}
