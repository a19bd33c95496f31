@testable import App
import BangfuKit
import Fluent
import SQLKit
import XCTVapor

/// Issue 17: 附件1 imports through one batched path — chunks across their boundary, one audit entry per file with
/// its counts, the public listing in step, and a re-import that writes nothing.
final class CatalogueImportTests: XCTestCase {
    struct Report: Decodable { let created: Int, updated: Int, unchanged: Int }

    /// A 附件1 of `count` households' lines (one more than a chunk holds, and then some), as a CSV.
    static func file(_ count: Int, place: (Int) -> String = { _ in "云阳县龙角镇示例村" },
                     price: (Int) -> String = { _ in "1.5元/斤" }, note: String = "") -> Data {
        let rows = (0..<count).map { i in
            [place(i), "农户\(i)号", i % 2 == 0 ? "洋芋" : "红心猕猴桃", "\(100 + i)斤", price(i),
             "送货上门", "",
             "李xx 1380000\(String(format: "%04d", i % 10_000))", note]
        }
        let header = Attachment1.HeaderBlock(unit: "龙角镇", filler: "孙干事", phone: "", date: "2026-11-02")
        return Data(Attachment1.sheet(header: header, rows: rows).map(CSV.line).joined(separator: "\r\n").utf8)
    }

    func testAFileOfManyChunksImportsInOneBatchedPathAndAgainWritesNothing() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let clerk = try await apiClient(app, "clerk")
            let count = OfferImport.chunkSize + 500
            let audits = try await AuditEntry.query(on: app.db).count()
            let csv = HTTPMediaType(type: "text", subType: "csv")
            let first = try await clerk.send(.POST, "/api/v1/offers/import", data: Self.file(count), type: csv)
            XCTAssertEqual(first.status, .ok, first.body.string)
            let report = try first.content.decode(Report.self)
            XCTAssertEqual([report.created, report.updated, report.unchanged], [count, 0, 0])
            try await assertEqual(try await AuditEntry.query(on: app.db).count(), audits + 1, "one entry for the file")
            try await assertEqual(try await App.Offer.query(on: app.db).count(), count)
            let hashed = try await App.Offer.query(on: app.db).filter(\.$contentHash != nil).count()
            XCTAssertEqual(hashed, count, "every offer's fingerprint kept")
            let sealed = try await App.Offer.query(on: app.db).first()
            XCTAssertEqual(sealed?.contactPhone.contains("****"), true, "a household's phone is kept masked")

            let again = try await clerk.send(.POST, "/api/v1/offers/import", data: Self.file(count), type: csv)
            XCTAssertEqual(try again.content.decode(Report.self).unchanged, count)
            try await assertEqual(try await AuditEntry.query(on: app.db).count(), audits + 1,
                                  "the same file writes nothing")

            let last = try await XCTUnwrapAsync(try await App.Offer.query(on: app.db).sort(\.$id, .descending).first())
            try await Fixtures.certify(last.id!, on: app)
            let dearer = Self.file(count, price: { $0 == count - 1 ? "1.8元/斤" : "1.5元/斤" })
            let changed = try await clerk.send(.POST, "/api/v1/offers/import", data: dearer, type: csv)
            XCTAssertEqual(changed.status, .ok, changed.body.string)
            let r = try changed.content.decode(Report.self)
            XCTAssertEqual([r.created, r.updated, r.unchanged], [0, 1, count - 1])
            let dear = try await App.Offer.query(on: app.db).filter(\.$priceFen == 180).all()
            XCTAssertEqual(dear.count, 1)
            let offer = try XCTUnwrap(dear.first)
            XCTAssertEqual(offer.id, last.id)
            let sql = app.db as! any SQLDatabase
            struct Listed: Decodable { let priceFen: Int64; let terms: Int }
            let listed = try await sql.raw("""
                SELECT l.price_fen, (SELECT COUNT(*) FROM listing_terms t WHERE t.offer_id = l.offer_id) AS terms
                FROM catalogue_listings l WHERE l.offer_id = \(bind: offer.id!)
                """).first(decoding: Listed.self, with: CatalogueListings.decoder)
            let place = try XCTUnwrap(RegionCode(offer.regionCode))
            let expected = ListingTerms.of(variety: offer.variety, category: .fruit, region: place, marks: []).count
            XCTAssertEqual(listed?.priceFen, 180, "the listing follows the import")
            XCTAssertEqual(listed?.terms, expected, "its terms rewritten once, not doubled")
        }
    }

    func testNewOffersAreWrittenWithTheirPlacesDeepPovertyFlag() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let places = "code,name,parent,flags\n500235139000,泥溪镇,,原深度贫困\n500235139201,黄岭村,,\n"
            _ = try await RegionStore.importCSV(places, on: app.db, by: .command("test"))
            let office = try await apiClient(app, "office")
            let file = Self.file(4) { $0 % 2 == 0 ? "云阳县泥溪镇黄岭村" : "云阳县龙角镇示例村" }
            let csv = HTTPMediaType(type: "text", subType: "csv")
            let response = try await office.send(.POST, "/api/v1/offers/import", data: file, type: csv)
            XCTAssertEqual(response.status, .ok, response.body.string)
            let flags = {
                try await App.Offer.query(on: app.db).sort(\.$id).all().map { [$0.regionCode: $0.deepPoverty] }
            }
            let written = try await flags()
            XCTAssertEqual(written, [["500235139201": true], ["500235105201": false],
                                     ["500235139201": true], ["500235105201": false]],
                           "a village under a 原深度贫困 township is flagged, one elsewhere is not")
            try await OfferFlags.refresh(on: app.db)
            try await assertEqual(try await flags(), written, "as the flag's own refresh would set it")
        }
    }

    /// PostgreSQL takes new offers as COPY's text, where a tab, a line break, a carriage return and a backslash mean
    /// something: a note with each comes back as written, on both databases.
    func testANoteWithTheCharactersCopyReservesIsKeptAsWritten() async throws {
        try await withApp { app, _ in
            app.setToday(LocalDate(year: 2026, month: 11, day: 2))
            let office = try await apiClient(app, "office")
            let note = "甲\t乙\\N丙\r\n丁\\"
            let csv = HTTPMediaType(type: "text", subType: "csv")
            let response = try await office.send(.POST, "/api/v1/offers/import", data: Self.file(2, note: note),
                                                 type: csv)
            XCTAssertEqual(response.status, .ok, response.body.string)
            let notes = try await App.Offer.query(on: app.db).all().map(\.note)
            XCTAssertEqual(notes, [note, note])
        }
    }

    /// Keys already stored were made from their joined text: hashing the parts without joining them must agree,
    /// or a re-import would find nothing it wrote before.
    func testAKeyHashedFromItsPartsEqualsTheKeyOfItsJoinedText() async throws {
        try await withApp { app, _ in
            let cipher = app.fieldCipher
            let parts = ["500235101001", "张三", "红心猕猴桃", ""]
            XCTAssertEqual(cipher.lookupHash(joining: parts, by: "|"),
                           cipher.lookupHash("500235101001|张三|红心猕猴桃|"))
            XCTAssertEqual(cipher.lookupHash(joining: ["甲"], by: "\u{1F}"), cipher.lookupHash("甲"))
            XCTAssertEqual(cipher.lookupHash(joining: ["", ""], by: "\u{1F}"), cipher.lookupHash("\u{1F}"))
            XCTAssertNotEqual(cipher.lookupHash(joining: ["ab", "c"], by: "|"), cipher.lookupHash("a|bc"))
        }
    }
}
