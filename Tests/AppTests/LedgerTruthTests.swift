@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Issue 13: facts that must not be lost on the way into the ledger — what linked reports each knew, proof
/// behind every verified row, and buyers written as offices write them.
final class LedgerTruthTests: XCTestCase {
    struct Report: Decodable {
        struct E: Decodable { let row: Int; let column: String; let code: String; let message: String }
        struct Unknown: Decodable {
            struct C: Decodable { let id: Int; let name: String }
            let name: String
            let rows: [Int]
            let candidates: [C]
        }
        let created: Int; let linked: Int; let errors: [E]; let unknownBuyers: [Unknown]?
    }
    struct Row: Decodable {
        let id: Int; let purpose: String; let householdsTouched: Int?; let note: String?; let provenance: [String: Int]
        let awaitsCheck: Bool; let counts: Bool; let relation: String; let proofWaiver: String?
    }

    func importSheet(_ api: APIClient, _ file: String, form: Int) async throws -> (HTTPStatus, Report) {
        let res = try await api.upload("/api/v1/purchases/sheets?form=\(form)&channel=fiveInto", try sheet(file),
                                       name: file)
        return (res.status, try res.content.decode(Report.self))
    }

    func row(_ api: APIClient, _ id: Int) async throws -> Row {
        try await api.get("/api/v1/purchases/\(id)").content.decode(Row.self)
    }

    /// Item 2: the township's row knows the households, the lead unit's what it bought for; once linked, the row
    /// that counts carries both, says where each came from, and the duplicate leaves the verification queue.
    func testLinkingTwoReportsOfOneSaleKeepsWhatEitherKnew() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office"), lead = try await apiClient(app, "lead")
            let unit = try await office.post("/api/v1/buyers/\(f.school)/aliases", ["alias": "云阳实验中学"])
            XCTAssertEqual(unit.status, .created)
            let (s2, r2) = try await importSheet(office, "att2-pair.xlsx", form: 2)
            XCTAssertEqual(s2, .ok, "\(r2.errors)")
            let (s3, r3) = try await importSheet(lead, "att3-pair.xlsx", form: 3)
            XCTAssertEqual([s3.code, UInt(r3.created), UInt(r3.linked)], [200, 1, 0],
                           "a day apart: suspected, not linked")
            let rows = try await Purchase.query(on: app.db).filter(\.$variety == "云阳红橙").sort(\.$id).all()
            let (township, unitRow) = (rows[0].id!, rows[1].id!)
            XCTAssertEqual(rows[1].suspectedDuplicateOf, township)
            try await assertEqual(try await row(office, township).householdsTouched, 12, "合作社(12户)")
            try await assertEqual(try await row(office, township).note, "合作社(12户)", "the note is kept")
            try await assertEqual(try await row(office, township).purpose, "other", "附件2 said nothing of the purpose")
            let proof = try await lead.upload("/api/v1/purchases/\(unitRow)/proof", Data("%PDF-1.4 发票".utf8),
                                              name: "发票.pdf")
            XCTAssertEqual(proof.status, .created)

            let link = try await office.post("/api/v1/purchases/\(unitRow)/duplicate", ["of": township])
            XCTAssertEqual(link.status, .ok)
            let counted = try await row(office, township)
            XCTAssertEqual(counted.purpose, "canteen", "用于机关食堂, from 附件3")
            XCTAssertEqual(counted.householdsTouched, 12, "kept from 附件2")
            XCTAssertEqual(counted.provenance, ["purpose": unitRow])
            XCTAssertTrue(counted.relation.contains("用途取自#\(unitRow)"))
            try await assertEqual(try await Linking.proofs(of: township, on: app.db).map(\.filename), ["发票.pdf"],
                                  "the proof from either")
            try await assertEqual(try await row(office, unitRow).awaitsCheck, false,
                                  "a linked duplicate leaves the queue")
            let alone = try await office.post("/api/v1/purchases/\(unitRow)/verify", VerifyBody())
            XCTAssertEqual(alone.status, .conflict)
            XCTAssertEqual(try alone.error().error.code, "linked_duplicate")

            try await assertEqual(try await office.post("/api/v1/purchases/\(township)/verify",
                                                        ["approve": true]).status, .ok,
                           "the counted row holds the proof now")
            let byPurpose = try await PurchaseRollup.query(on: app.db).filter(\.$counted == true).all()
            XCTAssertEqual(byPurpose.map(\.purpose), ["canteen"], "the rollups moved with the purpose")
            XCTAssertEqual(byPurpose.map(\.amountFen), [225_000])
        }
    }

    /// Item 3: no proof file, no verification without a stated reason; where the jurisdiction makes proof
    /// mandatory, none at all.
    func testVerifyingWithoutProofNeedsAReasonOrIsRefusedWhereProofIsMandatory() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            let purchase = PurchaseInputBody(buyerUnitId: f.hospital, amount: "90元")
            let first = try await office.post("/api/v1/purchases", purchase).content.decode(Row.self)
            let bare = try await office.post("/api/v1/purchases/\(first.id)/verify", ["approve": true])
            XCTAssertEqual(bare.status, .unprocessableEntity)
            XCTAssertEqual([try bare.error().error.code, try bare.error().error.field], ["proof_missing", "reason"])
            try await assertEqual(
                try await office.post("/api/v1/purchases/\(first.id)/verify", VerifyBody()).status, .ok)
            try await assertEqual(try await row(office, first.id).proofWaiver, VerifyBody().reason,
                                  "the reason is recorded")

            let settings = try await office.put("/api/v1/ledger/settings", ["proofMandatory": true])
            XCTAssertEqual(settings.status, .ok)
            let second = try await office.post("/api/v1/purchases",
                                               PurchaseInputBody(buyerUnitId: f.hospital, amount: "91元"))
                .content.decode(Row.self)
            let refused = try await office.post("/api/v1/purchases/\(second.id)/verify", VerifyBody())
            XCTAssertEqual(refused.status, .conflict)
            XCTAssertEqual(try refused.error().error.code, "proof_required")
            try await assertEqual(try await row(office, second.id).counts, false, "refused: nothing changed")
            _ = try await office.upload("/api/v1/purchases/\(second.id)/proof", Data("%PDF-1.4".utf8), name: "证明.pdf")
            try await assertEqual(
                try await office.post("/api/v1/purchases/\(second.id)/verify", ["approve": true]).status, .ok)
            let outside = { (c: String) in
                try await office.get("/api/v1/purchases?notChannel=\(c)").content.decode([Row].self).count
            }
            try await assertEqual(try await outside("fiveInto"), 0, "其他渠道's drill-down: rows through none of the parts")
            try await assertEqual(try await outside("p832,fair"), 2)
            let wuxi = try await apiClient(app, "office.wuxi").get("/api/v1/ledger/settings")
            XCTAssertEqual(try wuxi.content.decode(LedgerSettings.Values.self).proofMandatory, false,
                           "云阳's rule is its own")
        }
    }

    /// Item 9: a buyer written as offices abbreviate it is refused with the closest units named; an alias lets
    /// the same file in, and the alias is refused for a name another unit already carries.
    func testAnUnknownBuyerNamesTheClosestUnitsAndAnAliasLetsTheFileIn() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office")
            let (status, report) = try await importSheet(office, "att2-pair.xlsx", form: 2)
            XCTAssertEqual(status, .unprocessableEntity)
            XCTAssertEqual(report.errors.map(\.code), ["unknown_buyer"])
            XCTAssertTrue(report.errors[0].message.contains("最接近的已登记单位：云阳县实验中学"), report.errors[0].message)
            XCTAssertEqual(report.unknownBuyers?.map(\.name), ["云阳实验中学"])
            XCTAssertEqual(report.unknownBuyers?.first?.candidates.map(\.id), [f.school])
            try await assertEqual(try await Purchase.query(on: app.db).count(), 0)

            let taken = try await office.post("/api/v1/buyers/\(f.hospital)/aliases", ["alias": "云阳县实验中学"])
            XCTAssertEqual(taken.status, .conflict, "another unit's registered name")
            try await assertEqual(
                try await office.post("/api/v1/buyers/\(f.school)/aliases", ["alias": "云阳实验中学"]).status, .created)
            let wuxi = try await apiClient(app, "office.wuxi").post("/api/v1/buyers/\(f.school)/aliases",
                                                                    ["alias": "实验中学"])
            XCTAssertEqual(wuxi.status, .notFound, "another county's unit")
            let (again, second) = try await importSheet(office, "att2-pair.xlsx", form: 2)
            XCTAssertEqual(again, .ok, "\(second.errors)")
            XCTAssertEqual(second.created, 2)
            let aliases = try await office.get("/api/v1/buyers/\(f.school)/aliases").content.decode([UnitAliasDTO].self)
            XCTAssertEqual(aliases.map(\.alias), ["云阳实验中学"])
        }
    }
}

/// A minimal off-platform purchase for the API, from the fixtures' village.
struct PurchaseInputBody: Encodable {
    var buyerUnitId: Int
    var purchasedOn = "2026-11-20"
    var originRegionCode = Fixtures.village
    var seller = "王小明"
    var variety = "土豆"
    var quantity = "30斤"
    var amount: String
    var purpose = "canteen"
    var channel = "fiveInto"
}

/// Item 7: a township's clerk reports its own 附件2 — imports and exports the sales from its township.
final class TownshipSalesReportTests: XCTestCase {
    func testATownshipClerkImportsAndExportsItsOwn附件2() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let clerk = try await apiClient(app, "clerk")
            let res = try await clerk.upload("/api/v1/sales/sheets?channel=fiveInto", try sheet("att2-coop.xlsx"),
                                             name: "附件2.xlsx")
            XCTAssertEqual(res.status, .ok, res.body.string)
            let rows = try await Purchase.query(on: app.db).sort(\.$purchasedOn).all()
            XCTAssertEqual(rows.map(\.householdsTouched), [12, nil])
            XCTAssertEqual(rows.map(\.source), ["townshipReport", "townshipReport"])
            try await assertEqual(try await clerk.upload("/api/v1/purchases/sheets?form=3&channel=fiveInto",
                                                  try sheet("att3.xlsx"),
                                                  name: "a.xlsx").status, .forbidden, "附件3 is the lead units'")

            let platform = try await clerk.upload("/api/v1/sales/sheets?channel=p832", try sheet("att2-coop.xlsx"),
                name: "a.xlsx")
            XCTAssertEqual(try platform.error().error.code, "platform_channel", "a township's rows wait for proof")
            let csv = try await clerk.get("/api/v1/sales/sheets?format=csv&from=2026-11-01&to=2026-11-30")
            XCTAssertEqual(csv.status, .ok)
            let text = String(decoding: Data(buffer: csv.body), as: UTF8.self)
            XCTAssertTrue(text.contains("龙角镇柑橘合作社,云阳红橙,500斤,2250元,合作社，带动贫困户12户"), "an organisation is named: \(text)")

            var browser = try await Browser.signIn(app, "clerk")
            let page = try await browser.get("/sales")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.string.contains("乡镇销售表"), "in the clerk's menu")
        }
    }

    func testAClerkCannotReportSalesFromAnotherTownship() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let wuxiClerk = User()
            wuxiClerk.username = "clerk.wuxi"; wuxiClerk.displayName = "巫溪填报员"; wuxiClerk.role = Role.clerk.rawValue
            wuxiClerk.passwordHash = try Bcrypt.hash(Fixtures.password, cost: 4); wuxiClerk.isActive = true
            wuxiClerk.regionCode = Fixtures.wuxiTown
            try await wuxiClerk.create(on: app.db)
            let res = try await apiClient(app, "clerk.wuxi").upload("/api/v1/sales/sheets?channel=directed",
                                                                    try sheet("att2-coop.xlsx"), name: "附件2.xlsx")
            XCTAssertEqual(res.status, .unprocessableEntity)
            struct Report: Decodable { struct E: Decodable { let column: String; let code: String }; let errors: [E] }
            XCTAssertEqual(try res.content.decode(Report.self).errors.map(\.code), ["out_of_scope", "out_of_scope"])
            try await assertEqual(try await Purchase.query(on: app.db).count(), 0)
        }
    }
}

/// Item 4: a pairing that names a village counts purchases from that village, not its whole township, unless
/// the pairing says so.
final class HelpedPlacesTests: XCTestCase {
    struct Line: Decodable { let ruleCode: String; let unitId: Int?; let actualFen: Int64 }
    struct Adopt: Encodable {
        let name = "帮扶村采购"
        let year = 2026
        let startsOn = "2026-01-01"
        let endsOn = "2026-12-31"
        let rules: [Rule]
    }
    struct PairingBody: Encodable {
        let kind = "stationedInVillage"; let helperUnitId: Int; let helpedRegionCode = Fixtures.village
        let startsOn = "2026-01-01"; var matchTownship: Bool? = nil
    }

    func testAHelpedVillageCountsItsOwnPurchasesAndATownshipPairingTheTownships() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            _ = try await RegionStore.importCSV("code,name,parent,flags\n500235105202,邻村,,\n", on: app.db,
                                                by: .command("test"))
            try await BuyerUnit.query(on: app.db).set(\.$helpLevel, to: HelpLevel.county.rawValue).update()
            let office = try await apiClient(app, "office")
            try await assertEqual(
                try await office.post("/api/v1/pairings", PairingBody(helperUnitId: f.hospital)).status, .created)
            try await assertEqual(try await office.post("/api/v1/pairings", PairingBody(helperUnitId: f.school,
                                                                                        matchTownship: true)).status,
                           .created)
            for (unit, village, amount) in [(f.hospital, Fixtures.village, "2万"), (f.hospital, "500235105202", "3万"),
                                            (f.school, Fixtures.village, "2万"), (f.school, "500235105202", "3万")] {
                var body = PurchaseInputBody(buyerUnitId: unit, amount: amount)
                body.originRegionCode = village
                let p = try await office.post("/api/v1/purchases", body).content.decode(LedgerTruthTests.Row.self)
                try await assertEqual(
                    try await office.post("/api/v1/purchases/\(p.id)/verify", VerifyBody()).status, .ok)
            }
            let rule = Rule(code: "helped", name: "采购帮扶地产品", kind: .levelMinimum,
                            binds: .init(helpLevels: HelpLevel.allCases),
                            fromHelpedPlaces: true, minimums: [.county: 1_000_000])
            try await assertEqual(try await office.post("/api/v1/policies", Adopt(rules: [rule])).status, .created)
            let lines = try await office.get("/api/v1/progress?year=2026").content.decode([Line].self)
            let actual = Dictionary(uniqueKeysWithValues: lines.filter { $0.ruleCode == "helped" }
                .compactMap { l in l.unitId.map { ($0, l.actualFen) } })
            XCTAssertEqual(actual[f.hospital], 2_000_000, "the village only: not the neighbouring village's 3万")
            XCTAssertEqual(actual[f.school], 5_000_000, "matchTownship: the whole township")
        }
    }
}

/// Item 10: a pairing across counties counts once the other side confirms it; a unit above the county helping a
/// place in it is bound by the county's policy.
final class CrossCountyPairingTests: XCTestCase {
    struct Line: Decodable { let ruleCode: String; let unitId: Int?; let region: String; let actualFen: Int64 }
    struct P: Decodable { let id: Int; let status: String }
    struct CountyPair: Encodable {
        let kind = "countyToCounty"; let helperRegionCode = Fixtures.yunyang; let helpedRegionCode = Fixtures.wuxi
        let startsOn = "2026-01-01"
    }
    struct Stationed: Encodable {
        let kind = "stationedInVillage"
        let helperUnitId: Int
        let helpedRegionCode = Fixtures.village
        let startsOn = "2026-01-01"
    }
    struct Adopt: Encodable {
        let name = "结对"
        let year = 2026
        let startsOn = "2026-01-01"
        let endsOn = "2026-12-31"
        let rules: [Rule]
    }

    func testACrossCountyPairingCountsOnceTheOtherSideConfirms() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let office = try await apiClient(app, "office"), wuxi = try await apiClient(app, "office.wuxi")
            let proposed = try await office.post("/api/v1/pairings", CountyPair()).content.decode(P.self)
            XCTAssertEqual(proposed.status, "proposed", "巫溪 is outside 云阳's region")
            var body = PurchaseInputBody(buyerUnitId: f.hospital, amount: "5万")
            body.originRegionCode = Fixtures.wuxiTown
            let p = try await office.post("/api/v1/purchases", body).content.decode(LedgerTruthTests.Row.self)
            try await assertEqual(try await office.post("/api/v1/purchases/\(p.id)/verify", VerifyBody()).status, .ok)
            let rule = Rule(code: "paired", name: "结对县采购", kind: .pairingTotal, targetFen: 1_000_000)
            try await assertEqual(try await office.post("/api/v1/policies", Adopt(rules: [rule])).status, .created)
            let before = try await office.get("/api/v1/progress?year=2026").content.decode([Line].self)
                .filter { $0.ruleCode == "paired" }
            XCTAssertEqual(before.count, 0, "a proposed pairing does not count")

            let own = try await office.post("/api/v1/pairings/\(proposed.id)/confirm", [String: String]())
            XCTAssertEqual(own.status, .forbidden, "the proposer cannot confirm its own proposal")
            try await assertEqual(
                try await wuxi.post("/api/v1/pairings/\(proposed.id)/confirm", [String: String]()).status, .ok)
            let after = try await office.get("/api/v1/progress?year=2026").content.decode([Line].self)
                .filter { $0.ruleCode == "paired" }
            XCTAssertEqual(after.map(\.actualFen), [5_000_000], "confirmed: 云阳's purchases from 巫溪 count")
            try await assertEqual(
                try await wuxi.post("/api/v1/pairings/\(proposed.id)/confirm", [String: String]()).status, .conflict)
        }
    }

    func testAUnitAboveTheCountyHelpingInItIsBoundByItsPolicy() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 23))
            let city = BuyerUnit()
            city.name = "重庆市某市级帮扶单位"; city.kind = BuyerKind.publicInstitution.rawValue; city.regionCode = "500000000000"
            city.isBudgetUnit = true
            city.hasCanteen = true
            city.hasFiveIntoDuty = false
            city.helpLevel = HelpLevel.city.rawValue
            try await city.create(on: app.db)
            let office = try await apiClient(app, "office"), admin = try await apiClient(app, "admin")
            let pairing = try await office.post("/api/v1/pairings", Stationed(helperUnitId: city.id!))
                .content.decode(P.self)
            XCTAssertEqual(pairing.status, "proposed", "the unit belongs to the city")
            try await assertEqual(
                try await admin.post("/api/v1/pairings/\(pairing.id)/confirm", [String: String]()).status, .ok)
            // The unit reports its own purchase, through the channels of the city it belongs to.
            _ = try await ChannelPreset.yunyang.adopt(jurisdiction: "500000000000", on: app.db)
            let user = User()
            user.username = "city.unit"
            user.displayName = "市级单位"
            user.role = Role.buyer.rawValue
            user.isActive = true
            user.passwordHash = try Bcrypt.hash(Fixtures.password, cost: 4); user.$buyerUnit.id = city.id
            try await user.create(on: app.db)
            var body = PurchaseInputBody(buyerUnitId: city.id!, amount: "3万")
            body.channel = "p832"
            let p = try await apiClient(app, "city.unit").post("/api/v1/purchases", body)
            XCTAssertEqual(p.status, .created, p.body.string)
            let rule = Rule(code: "helper", name: "帮扶单位采购帮扶地产品", kind: .levelMinimum,
                            binds: .init(helpLevels: HelpLevel.allCases),
                            fromHelpedPlaces: true, minimums: [.city: 2_000_000])
            try await assertEqual(try await office.post("/api/v1/policies", Adopt(rules: [rule])).status, .created)
            let lines = try await office.get("/api/v1/progress?year=2026").content.decode([Line].self)
                .filter { $0.ruleCode == "helper" }
            XCTAssertEqual(lines.map(\.unitId), [city.id], "bound by 云阳's policy")
            XCTAssertEqual(lines.map(\.actualFen), [3_000_000])
        }
    }
}
