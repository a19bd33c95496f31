@testable import App
import BangfuKit
import Fluent
import SQLKit
import Vapor
import XCTVapor

/// Issue 17: the public catalogue served by its own index — names (one character too), filters and orders, pages,
/// and a listing that follows certification, the blacklist, edits, and time.
final class CatalogueSearchTests: XCTestCase {
    struct Item: Decodable { struct O: Decodable { let id: Int }; let offer: O }
    struct Body: Encodable {
        let regionCode: String, sellerName: String, variety: String, quantity = "100斤", price: String
        let supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558"
        var qualityMarks: [String] = []
        var supplierId: Int? = nil
    }
    struct Id: Decodable { let id: Int }

    /// A household's offer in the fixtures' village, saved through the API: its id.
    static func offer(_ api: APIClient, _ seller: String, _ variety: String, _ price: String) async throws -> Int {
        let body = Body(regionCode: Fixtures.village, sellerName: seller, variety: variety, price: price)
        let res = try await api.post("/api/v1/offers", body)
        XCTAssertEqual(res.status, .created, res.body.string)
        return try res.content.decode(Id.self).id
    }

    func testNamesFiltersOrdersAndPagesComeFromTheIndex() async throws {
        try await withApp { app, f in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let office = try await apiClient(app, "office"), wuxi = try await apiClient(app, "office.wuxi")
            func add(_ api: APIClient, _ body: Body) async throws -> Int {
                let res = try await api.post("/api/v1/offers", body)
                XCTAssertEqual(res.status, .created, res.body.string)
                return try res.content.decode(Id.self).id
            }
            let fuji = try await add(office, Body(regionCode: Fixtures.village, sellerName: "龙角镇柑橘合作社",
                                                  variety: "红富士苹果", price: "8元/斤", qualityMarks: ["green"],
                                                  supplierId: f.coop))
            let dried = try await add(office, Body(regionCode: Fixtures.village, sellerName: "李四", variety: "苹果干",
                                                   price: "20元/斤"))
            let pear = try await add(wuxi, Body(regionCode: Fixtures.wuxiTown, sellerName: "王五", variety: "雪梨",
                                                price: "5元/斤", qualityMarks: ["green"]))
            let yam = try await add(office, Body(regionCode: Fixtures.village, sellerName: "赵六", variety: "红薯",
                                                 price: "2元/斤"))
            let wuxiFuji = try await add(wuxi, Body(regionCode: Fixtures.wuxiTown, sellerName: "钱七",
                                                    variety: "富士苹果", price: "8元/斤"))
            let uncertified = try await add(wuxi, Body(regionCode: Fixtures.wuxiTown, sellerName: "孙八",
                                                       variety: "果冻橙", price: "6元/斤"))
            for id in [fuji, dried, pear, yam, wuxiFuji] { try await Fixtures.certify(id, on: app) }
            func ids(_ query: String) async throws -> [Int] {
                let res = try await app.sendRequest(.GET, "/api/v1/catalogue?" + query)
                XCTAssertEqual(res.status, .ok, query)
                return try res.content.decode([Item].self).map(\.offer.id)
            }
            let q = { (text: String) in "q=" + text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            try await assertEqual(try await ids(q("果")), [wuxiFuji, dried, fuji], "one character, newest first")
            try await assertEqual(try await ids(q("苹果")), [wuxiFuji, dried, fuji])
            try await assertEqual(try await ids(q("富士苹果")), [wuxiFuji, fuji], "every pair of the name")
            try await assertEqual(try await ids(q(" 苹 果 ")), [wuxiFuji, dried, fuji], "spaces are not searched")
            try await assertEqual(try await ids(q("红果")), [], "both characters, but not together")
            try await assertEqual(try await ids(q("果苹")), [], "a pair no name has")
            try await assertEqual(try await ids(q("%")), [], "a wildcard is a character like any other")
            try await assertEqual(try await ids(q("梨")), [pear])
            try await assertEqual(try await ids("category=fruit"), [wuxiFuji, pear, dried, fuji])
            try await assertEqual(try await ids("mark=green"), [pear, fuji])
            try await assertEqual(try await ids("mark=green&region=\(Fixtures.wuxi)"), [pear])
            try await assertEqual(try await ids("region=\(Fixtures.longjiao)&" + q("苹果")), [dried, fuji])
            try await assertEqual(try await ids("mark=green&category=fruit&region=\(Fixtures.longjiao)&" + q("苹果")),
                                  [fuji], "three terms walked together, the name checked on the listing")
            try await assertEqual(try await ids("sort=priceDesc&category=fruit&region=\(Fixtures.wuxi)"),
                                  [wuxiFuji, pear], "terms walked together in the price order")
            try await assertEqual(try await ids("sort=priceAsc&" + q("苹果")), [fuji, wuxiFuji, dried],
                                  "equal prices in the index's order")
            try await assertEqual(try await ids("sort=priceDesc&" + q("苹果")), [dried, wuxiFuji, fuji])
            try await assertEqual(try await ids(""), [wuxiFuji, yam, pear, dried, fuji])
            let junk = try await app.sendRequest(.GET, "/api/v1/catalogue?" + q("果") + "&utm=1")
            XCTAssertEqual(try junk.content.decode([Item].self).map(\.offer.id), [wuxiFuji, dried, fuji])
            for path in ["/publicity?page=9223372036854775807", "/api/v1/publicity?page=-9223372036854775808"] {
                try await assertEqual(try await app.sendRequest(.GET, path).status, .ok, "an absurd page is the last")
            }
            let publicity = try await app.sendRequest(.GET, "/publicity").body.string
            XCTAssertTrue(publicity.contains("id=\"publicity\""), "the 公示 page, not its page number")
            let hidden = try await app.sendRequest(.GET, "/catalogue/\(uncertified)")
            XCTAssertEqual(hidden.status, .notFound, "not certified: no product page")
            try await assertEqual(try await app.sendRequest(.GET, "/catalogue/\(fuji)").status, .ok)

            var browser = try await Browser.signIn(app, "office")
            let barred = try await browser.post("/blacklist", ["supplierId": String(f.coop), "reason": "以次充好"])
            XCTAssertEqual(barred.status, .seeOther)
            try await assertEqual(try await ids(q("苹果")), [wuxiFuji, dried],
                                  "a barred supplier's offers leave at once")
            let entry = try await XCTUnwrapAsync(try await BlacklistEntry.query(on: app.db).first())
            _ = try await browser.post("/blacklist/\(entry.id!)/lift", [:])
            try await assertEqual(try await ids(q("苹果")), [wuxiFuji, dried, fuji], "and come back when lifted")

            let cheaper = try await office.put("/api/v1/offers/\(dried)", Body(regionCode: Fixtures.village,
                sellerName: "李四", variety: "苹果干", price: "1元/斤"))
            XCTAssertEqual(cheaper.status, .ok, cheaper.body.string)
            try await assertEqual(try await ids("sort=priceAsc&" + q("苹果")), [dried, fuji, wuxiFuji],
                                  "an edit moves the offer in the price order")
        }
    }

    func testPagesOfAOneCharacterQueryFollowOnAndTimeEmptiesTheIndex() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let office = try await apiClient(app, "office")
            var all: [Int] = []
            for i in 0..<40 {
                let variety = i % 3 == 0 ? "香菇" : "木耳\(i)"
                all.append(try await Self.offer(office, "农户\(i)", variety, "\(10 + i)元/斤"))
                try await Fixtures.certify(all.last!, on: app)
            }
            func ids(_ query: String) async throws -> [Int] {
                try await app.sendRequest(.GET, "/api/v1/catalogue?" + query).content.decode([Item].self)
                    .map(\.offer.id)
            }
            let ear = all.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)
            let first = try await ids("q=%E8%80%B3"), second = try await ids("q=%E8%80%B3&page=2")
            XCTAssertEqual(first.count, CatalogueSearch.pageSize)
            XCTAssertEqual(first + second, ear.reversed(), "page 2 follows page 1: no offer twice, none left out")
            let byPrice = try await ids("q=%E8%80%B3&sort=priceDesc") + ids("q=%E8%80%B3&sort=priceDesc&page=2")
            XCTAssertEqual(byPrice, ear.reversed(), "dearer first (the price rose with each offer)")

            let sql = app.db as! any SQLDatabase
            struct N: Decodable { let n: Int }
            func rows(_ table: String) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decoding: N.self)?.n ?? -1
            }
            try await assertEqual(try await rows(CatalogueListings.listings), 40)
            app.setToday(LocalDate(year: 2026, month: 12, day: 3))
            try await assertEqual(try await ids(""), [], "a month without an update: stale, whatever the index holds")
            try await CatalogueListings.sweep(today: app.today, on: app.db)
            try await assertEqual(try await rows(CatalogueListings.listings), 0, "the sweep drops stale listings")
            try await assertEqual(try await rows(CatalogueListings.terms), 0, "and their terms")
            let kept = try await office.put("/api/v1/offers/\(all[0])", Body(regionCode: Fixtures.village,
                sellerName: "农户0", variety: "香菇", price: "9元/斤"))
            XCTAssertEqual(kept.status, .ok, kept.body.string)
            try await assertEqual(try await ids(""), [all[0]], "an update brings the offer back")
        }
    }

    /// `bangfu list-catalogue --rebuild`, for data loaded past the application: the index written afresh in one
    /// transaction, then (PostgreSQL) vacuumed outside it, so the first searches find it ready.
    func testTheRebuildCommandListsEveryShownOfferAfresh() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let office = try await apiClient(app, "office")
            var shown: [Int] = []
            for i in 0..<3 {
                let id = try await Self.offer(office, "农户\(i)", "香菇", "\(10 + i)元/斤")
                if i > 0 {
                    try await Fixtures.certify(id, on: app)
                    shown.append(id)
                }
            }
            let sql = app.db as! any SQLDatabase
            try await sql.delete(from: CatalogueListings.terms).run()
            try await sql.delete(from: CatalogueListings.listings).run()
            CatalogueGeneration.advance()
            let search = {
                try await app.sendRequest(.GET, "/api/v1/catalogue?q=%E9%A6%99").content.decode([Item].self)
            }
            try await assertEqual(try await search().map(\.offer.id), [], "an emptied index shows nothing")

            var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["bangfu", "--rebuild"]))
            context.application = app
            try await ListCatalogueCommand().run(using: &context)
            try await assertEqual(try await search().map(\.offer.id), shown.reversed(), "certified ones listed again")
        }
    }

    /// A database that cannot be reached (PostgreSQL refusing connections, an SQLite file that cannot be opened):
    /// the catalogue answers 503 with Retry-After at once, for the API and the page alike.
    func testADatabaseThatCannotBeReachedIsAnswered503() async throws {
        let unreachable: [AppConfig.Database] = [
            .postgres(url: "postgres://bangfu:x@127.0.0.1:9/bangfu"), .sqlite(path: "/nonexistent/bangfu.sqlite"),
        ]
        for database in unreachable {
            let app = try await Application.make(.testing)
            var config = AppConfig(database: database, dataKey: SymmetricKey(size: .bits256),
                                   varDirectory: NSTemporaryDirectory(), autoMigrate: false)
            config.opensDatabaseAtStart = false
            do {
                try await configure(app, config: config)
                let api = try await app.sendRequest(.GET, "/api/v1/catalogue?q=%E8%8B%B9")
                XCTAssertEqual(api.status, .serviceUnavailable, "\(database)")
                XCTAssertEqual(try api.error().error.code, "database_unavailable")
                XCTAssertEqual(api.headers.first(name: .retryAfter), "5")
                let page = try await app.sendRequest(.GET, "/catalogue")
                XCTAssertEqual(page.status, .serviceUnavailable)
                XCTAssertTrue(page.body.string.contains("数据库暂时无法访问"), page.body.string)
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
    }
}
