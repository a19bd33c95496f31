@testable import App
import BangfuKit
import Fluent
import XCTVapor

/// Offer photos and application documents: typed by content, size-limited, content-addressed, scoped.
final class AttachmentTests: XCTestCase {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 64)
    static let pdf = Data("%PDF-1.4\n%test\n".utf8)

    struct Att: Decodable { let id: Int; let url: String; let contentType: String }

    func offer(_ app: Application) async throws -> Int {
        struct Body: Encodable { let regionCode = Fixtures.village, sellerName = "合作社", variety = "脐橙", quantity = "2吨"
                                 let price = "5元/斤", supplyMethod = "delivery", contactName = "刘主任", contactPhone = "17723635558" }
        struct O: Decodable { let id: Int }
        return try await apiClient(app, "supplier").post("/api/v1/offers", Body()).content.decode(O.self).id
    }

    func testPhotosAreCheckedByContentAndPublicOnlyOnceTheOfferIsInPublicity() async throws {
        try await withApp { app, _ in
            let id = try await offer(app)
            let supplier = try await apiClient(app, "supplier")
            let bad = try await supplier.upload("/api/v1/offers/\(id)/photos", Self.pdf, name: "photo.png")
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(try bad.error().error.code, "bad_type", "a PDF named .png is still a PDF")
            let big = try await supplier.upload("/api/v1/offers/\(id)/photos", Self.png + Data(count: 5 << 20), name: "big.png")
            XCTAssertEqual(try big.error().error.code, "too_large")

            let ok = try await supplier.upload("/api/v1/offers/\(id)/photos", Self.png, name: "橙.png")
            XCTAssertEqual(ok.status, .created)
            let photo = try XCTUnwrap(try ok.content.decode([Att].self).first)
            XCTAssertEqual(photo.contentType, "image/png")
            try await assertEqual(try await app.sendRequest(.GET, photo.url).status, .notFound,
                "a draft's photo is not public")
            var owner = try await Browser.signIn(app, "supplier")
            try await assertEqual(try await owner.get(photo.url).status, .ok, "its supplier sees it")
            try await Self.putInPublicity(offer: id, on: app.db)
            let served = try await app.sendRequest(.GET, photo.url)
            XCTAssertEqual(served.status, .ok)
            XCTAssertEqual(Data(buffer: served.body), Self.png)

            _ = try await supplier.upload("/api/v1/offers/\(id)/photos", Self.png, name: "again.png")
            let stored = try await Attachment.query(on: app.db).all()
            XCTAssertEqual(stored.count, 2)
            XCTAssertEqual(Set(stored.map(\.sha256)).count, 1, "the same bytes are stored once, by their SHA-256")

            let other = try await apiClient(app, "office.wuxi").upload("/api/v1/offers/\(id)/photos", Self.png, name: "x.png")
            XCTAssertEqual(other.status, .notFound)
        }
    }

    static func putInPublicity(offer id: Int, on db: any Database) async throws {
        let found = try await Offer.find(id, on: db)
        let offer = try XCTUnwrap(found)
        let a = ProductApplication()
        a.$offer.id = id; a.regionCode = offer.regionCode; a.productName = offer.variety; a.documents = ""
        a.state = CertificationState.inPublicity.rawValue
        try await a.create(on: db)
    }

    func testApplicationDocumentsAreSeenOnlyInScope() async throws {
        try await withApp { app, _ in
            let id = try await offer(app)
            struct Apply: Encodable { let offerId: Int; let documents = "检测报告" }
            struct A: Decodable { let id: Int }
            let supplier = try await apiClient(app, "supplier")
            let application = try await supplier.post("/api/v1/certifications", Apply(offerId: id)).content.decode(A.self).id
            let res = try await supplier.upload("/api/v1/certifications/\(application)/documents", Self.pdf, name: "检测报告.pdf")
            XCTAssertEqual(res.status, .created)
            let doc = try XCTUnwrap(try res.content.decode([Att].self).first)

            var office = try await Browser.signIn(app, "office")
            let seen = try await office.get(doc.url)
            XCTAssertEqual(seen.status, .ok)
            XCTAssertEqual(Data(buffer: seen.body), Self.pdf)
            var wuxi = try await Browser.signIn(app, "office.wuxi")
            try await assertEqual(try await wuxi.get(doc.url).status, .notFound)
            var anonymous = Browser(app: app)
            try await assertEqual(try await anonymous.getStatus(doc.url), 303, "anonymous: to the login page")
        }
    }
}

extension Browser {
    mutating func getStatus(_ path: String) async throws -> UInt { try await get(path).status.code }
}
