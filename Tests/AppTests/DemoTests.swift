@testable import App
import BangfuKit
import Fluent
import SQLKit
import XCTVapor

/// Issue 13, item 15: the demo is a county's year, loaded in one go on both databases.
final class DemoTests: XCTestCase {
    func testTheDemoIsACountysYear() async throws {
        try await withBareApp { app in
            let today = LocalDate(year: 2026, month: 11, day: 30)
            app.setToday(today)
            try await DemoData.load(on: app.db, cipher: app.fieldCipher, files: app.files, directory: app.directory,
                                    today: today)
            let rows = try await Purchase.query(on: app.db).all()
            XCTAssertGreaterThan(rows.count, 3_000, "several thousand purchases")
            XCTAssertEqual(Set(rows.map(\.channelCode)),
                           ["fiveInto", "paired", "charity", "fair", "ecommerce", "tourism", "p832", "hall"],
                           "every 六销 channel and the platforms")
            XCTAssertTrue(rows.contains { $0.state == "pending" } && rows.contains { $0.state == "verified" })
            try await assertTrue(try await BuyerUnit.query(on: app.db).count() >= 150, "the county's units")
            let offers = try await Offer.query(on: app.db).all()
            XCTAssertGreaterThan(offers.count, 150)
            let photos = try await Attachment.query(on: app.db).filter(\.$entity == "offer").all()
            XCTAssertEqual(Set(photos.map(\.entityID)), Set(offers.compactMap(\.id)), "every offer has a photo")
            let stored = try await app.files.get(photos[0].sha256)
            let png = try XCTUnwrap(stored)
            XCTAssertEqual(UploadKind.sniff(png), .png)
            try await assertEqual(try await ClosedPeriod.query(on: app.db).count(), 3, "the last quarter closed")
            try await assertEqual(try await BulletinRecord.query(on: app.db).all().map(\.quarter), [3],
                                  "and its bulletin published")
            // The rollups hold the demo's rows as the ledger does.
            struct Sum: Decodable { let amount: Int64 }
            let ledger = rows.filter(\.counts).reduce(0) { $0 + $1.amountFen }
            let rolled = try await (app.db as! any SQLDatabase).raw(
                "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS amount FROM unit_rollups WHERE counted = \(bind: true)")
                .first(decoding: Sum.self)?.amount
            XCTAssertEqual(rolled, ledger)
        }
    }
}
