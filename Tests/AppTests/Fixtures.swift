@testable import App
import BangfuKit
import Fluent
import Vapor

/// A small world: 云阳县 (with 龙角镇 and one village) and 巫溪县, one user per role,
/// and in each county a unit, a supplier and a household, so that every scope has something to hide.
struct Fixtures {
    static let password = "Test2026password"
    static let yunyang = "500235000000", longjiao = "500235105000", village = "500235105201"
    static let wuxi = "500238000000", wuxiTown = "500238100000"
    static let usernames = ["admin", "office", "office.wuxi", "lead", "buyer", "supplier", "clerk"]

    var hospital: Int, school: Int, wuxiUnit: Int
    var coop: Int, wuxiSupplier: Int
    var household: Int, wuxiHousehold: Int
    var education: Int
    var householdName = "张大山", householdID = "50023519650312001X"

    static func load(on app: Application) async throws -> Fixtures {
        let db = app.db
        let regions = """
        code,name,parent,flags
        500000000000,重庆市,,
        500200000000,县,,
        500235000000,云阳县,,脱贫县
        500235105000,龙角镇,,
        500235105201,示例村,,帮扶村;示例
        500238000000,巫溪县,,脱贫县
        500238100000,示例镇,,示例
        """
        _ = try await RegionStore.importCSV(regions, on: db, by: .command("fixtures"))
        let education = LeadSystem(name: "教育系统", leadName: "县教委", regionCode: yunyang)
        try await education.create(on: db)
        func unit(_ name: String, _ region: String, system: Int?) async throws -> Int {
            let b = BuyerUnit()
            b.name = name; b.kind = BuyerKind.hospital.rawValue; b.regionCode = region
            b.isBudgetUnit = true; b.hasCanteen = true; b.hasFiveIntoDuty = true; b.$system.id = system
            try await b.create(on: db)
            return b.id!
        }
        func supplier(_ name: String, _ region: String) async throws -> Int {
            let s = Supplier()
            s.name = name; s.kind = SupplierKind.cooperative.rawValue; s.regionCode = region
            try await s.create(on: db)
            return s.id!
        }
        func household(_ name: String, _ id: String, _ region: String) async throws -> Int {
            let h = try Household.sealed(region: RegionCode(region)!, status: .liftedOut, name: name,
                                         id: ResidentID(id)!, phone: "13800000001", members: 3, cipher: app.fieldCipher)
            try await h.create(on: db)
            return h.id!
        }
        var f = Fixtures(
            hospital: try await unit("云阳县人民医院", yunyang, system: nil),
            school: try await unit("云阳县实验中学", yunyang, system: education.id),
            wuxiUnit: try await unit("巫溪县人民医院", wuxi, system: nil),
            coop: try await supplier("龙角镇柑橘合作社", longjiao),
            wuxiSupplier: try await supplier("巫溪县洋芋合作社", wuxiTown),
            household: 0, wuxiHousehold: 0, education: education.id!)
        f.household = try await household(f.householdName, f.householdID, village)
        f.wuxiHousehold = try await household("李秀兰", "440524188001010014", wuxiTown)

        try await ChannelPresets.load(jurisdiction: yunyang, on: db)
        _ = try await ChannelPreset.wuxi.adopt(jurisdiction: wuxi, on: db)
        let hash = try Bcrypt.hash(password, cost: 4)
        let anchors: [(String, Role, (User) -> Void)] = [
            ("admin", .admin, { _ in }),
            ("office", .office, { $0.regionCode = yunyang }),
            ("office.wuxi", .office, { $0.regionCode = wuxi }),
            ("lead", .leadUnit, { $0.$system.id = education.id }),
            ("buyer", .buyer, { $0.$buyerUnit.id = f.hospital }),
            ("supplier", .supplier, { $0.$supplier.id = f.coop }),
            ("clerk", .clerk, { $0.regionCode = longjiao }),
        ]
        for (name, role, anchor) in anchors {
            let u = User()
            u.username = name; u.displayName = name; u.role = role.rawValue; u.passwordHash = hash
            u.isActive = true
            anchor(u)
            try await u.create(on: db)
        }
        return f
    }

    static func user(_ username: String, on db: any Database) async throws -> User {
        try await User.query(on: db).filter(\.$username == username).first()!
    }
}

extension Fixtures {
    /// Certifies an offer as a county would (valid to 2027-10-31) and lists it as the certification step does.
    static func certify(_ offerID: Int, on app: Application, marks: [QualityMark] = []) async throws {
        guard let offer = try await Offer.find(offerID, on: app.db) else { throw Abort(.notFound) }
        let a = ProductApplication()
        a.$offer.id = offerID; a.regionCode = offer.regionCode; a.productName = offer.variety; a.documents = "检测报告"
        a.state = CertificationState.certified.rawValue; a.validFrom = "2026-11-01"; a.validUntil = "2027-10-31"
        a.certificateNo = "YY-2026-\(offerID)"
        try await a.create(on: app.db)
        try await CatalogueListings.sync([offerID], today: app.today, on: app.db)
    }
}
