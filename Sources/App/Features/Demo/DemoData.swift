import BangfuKit
import Fluent
import Vapor

/// The demo: the real regions of China to county level, 云阳县's real townships with a few illustrative
/// villages, and one organisation and login for each role. Names of people are invented.
enum DemoData {
    static let password = "Bangfu2026demo"
    static let logins: [(username: String, role: Role, what: String)] = [
        ("admin", .admin, "系统管理员"),
        ("yunyang.office", .office, "云阳县乡村振兴局"),
        ("yunyang.jiaowei", .leadUnit, "县教委（教育系统牵头单位）"),
        ("yunyang.hospital", .buyer, "云阳县人民医院"),
        ("longjiao.coop", .supplier, "龙角镇合作社"),
        ("longjiao.clerk", .clerk, "龙角镇填报员"),
    ]

    static func isNeeded(on db: any Database) async throws -> Bool {
        try await User.query(on: db).count() == 0
    }

    static func printLogins(_ logger: Logger) {
        let lines = logins.map { "  \($0.username.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.role.chineseName) · \($0.what)" }
        logger.notice("演示账号（密码均为 \(password)）：\n\(lines.joined(separator: "\n"))")
    }

    static func load(on db: any Database, cipher: FieldCipher, files: any FileStore, directory: DirectoryConfiguration,
                     today: LocalDate) async throws {
        let origin = Audit.Origin.command("seed-demo")
        for file in ["regions-national.csv", "yunyang-demo.csv"] {
            let text = try String(contentsOfFile: directory.resourcesDirectory + "Data/" + file, encoding: .utf8)
            _ = try await RegionStore.importCSV(text, on: db, by: origin)
        }
        try await db.writeTransaction { tx in try await organisations(on: tx, cipher: cipher, origin: origin) }
        try await db.writeTransaction { tx in try await catalogue(on: tx, cipher: cipher, origin: origin,
            today: today) }
        try await ChannelPresets.load(jurisdiction: county, on: db)
        try await db.writeTransaction { tx in try await DemoLedger.load(on: tx, cipher: cipher, today: today) }
        try await db.writeTransaction { tx in
            try await DemoYear.load(on: tx, cipher: cipher, files: files, today: today)
        }
        try await db.writeTransaction { tx in try await DemoOrders.load(on: tx, today: today) }
        try await db.writeTransaction { tx in try await DemoPrices.load(on: tx, today: today) }
        try await db.writeTransaction { tx in try await CatalogueListings.rebuild(on: tx, today: today) }
    }

    /// A few offers of 龙角镇 and 泥溪镇; the cooperative's 红橙 certified, its 蜂蜜 in 公示.
    private static func catalogue(on db: any Database, cipher: FieldCipher, origin: Audit.Origin, today: LocalDate) async throws {
        let coop = try await Supplier.query(on: db).filter(\.$kind == SupplierKind.cooperative.rawValue).first()!
        func offer(_ village: String, _ seller: String, _ variety: String, _ qty: String, _ price: String,
                   _ method: SupplyMethod, supplier: Int? = nil, marks: [QualityMark] = []) async throws -> Offer {
            let d = OfferService.Draft(region: RegionCode(village)!, supplierID: supplier, seller: seller,
                                       category: .guess(for: variety), variety: variety, quantity: Quantity.parse(qty)!,
                                       price: UnitPrice.parse(price)!, method: method, shopURL: nil, contactName: "刘主任",
                                       contactPhone: "17723635558", marks: marks, linkedHouseholds: supplier == nil ? nil : 2, note: nil)
            return try await OfferService.save(d, source: "demo", origin: origin, cipher: cipher, today: today, on: db).0
        }
        let orange = try await offer("500235105201", coop.name, "云阳红橙", "5000斤", "4.5元/斤", .online, supplier: coop.id,
                                     marks: [.geographicalIndication, .hundredCounties])
        let honey = try await offer("500235105202", coop.name, "土蜂蜜", "300斤", "60元/斤", .delivery, supplier: coop.id)
        _ = try await offer("500235105201", "张大山", "土豆", "800斤", "1.5元/斤", .delivery)
        _ = try await offer("500235139201", "王建国", "腊肉", "200斤", "45元/斤", .pickup)
        func application(_ o: Offer, _ record: CertificationRecord, number: String?) async throws {
            let a = ProductApplication()
            a.$offer.id = o.id!; a.$supplier.id = o.$supplier.id; a.regionCode = o.regionCode; a.productName = o.variety
            a.documents = "营业执照、检测报告（示例）"; a.record = record; a.certificateNo = number
            try await a.create(on: db)
        }
        try await application(orange, CertificationRecord(state: .certified, validFrom: today.adding(days: -30),
                                                          validUntil: today.adding(months: 23)),
                              number: "帮认500235-\(today.year)-0001")
        try await application(honey, CertificationRecord(state: .inPublicity, publicityEnds: today.adding(days: 5)), number: nil)
    }

    static let county = "500235000000", longjiao = "500235105000", nixi = "500235139000"

    private static func organisations(on db: any Database, cipher: FieldCipher, origin: Audit.Origin) async throws {
        let office = Office(name: "云阳县乡村振兴局", kind: OfficeKind.ruralRevitalisation.rawValue, regionCode: county)
        try await office.create(on: db)
        try await Office(name: "云阳县消费帮扶专项组办公室", kind: OfficeKind.taskForce.rawValue, regionCode: county).create(on: db)
        let education = LeadSystem(name: "教育系统", leadName: "云阳县教育委员会", regionCode: county)
        let affairs = LeadSystem(name: "机关事务系统", leadName: "云阳县机关事务服务中心", regionCode: county)
        try await education.create(on: db); try await affairs.create(on: db)

        let hospital = try await unit("云阳县人民医院", .hospital, county, system: nil, canteen: true, fiveInto: true, level: .county, db)
        _ = try await unit("云阳县实验中学", .school, county, system: education.id, canteen: true, fiveInto: true, level: nil, db)
        _ = try await unit("云阳县教育委员会", .partyGovernment, county, system: education.id, canteen: true, fiveInto: true, level: .county, db)
        _ = try await unit("云阳县机关事务服务中心", .partyGovernment, county, system: affairs.id, canteen: true, fiveInto: true, level: .county, db)
        _ = try await unit("重庆市示例市级帮扶单位", .publicInstitution, "500000000000", system: nil, canteen: true, fiveInto: false, level: .city, db)

        let households = try await [
            ("张大山", "500235105201", "19650312001", "13800000001"), ("李秀兰", "500235105202", "19721105002", nil),
            ("王建国", "500235139201", "19580620003", "13800000003"), ("陈小梅", "500235139202", "19810214004", nil),
        ].asyncMap { name, village, tail, phone in
            let id = ResidentID(makeID("500235" + tail))!
            let h = try Household.sealed(region: RegionCode(village)!, status: .liftedOut, name: name, id: id, phone: phone,
                                         members: 4, cipher: cipher)
            try await h.create(on: db)
            return h
        }

        let coop = Supplier()
        coop.name = "云阳县龙角镇示例柑橘专业合作社"; coop.kind = SupplierKind.cooperative.rawValue; coop.regionCode = longjiao
        coop.creditCode = makeCreditCode("93500235MA5U00001"); coop.contactName = "刘主任"; coop.contactPhone = "17723635558"
        try await coop.create(on: db)
        for h in households.prefix(2) {
            let link = SupplierHousehold(); link.$supplier.id = coop.id!; link.$household.id = h.id!; link.weight = 1
            try await link.create(on: db)
        }
        let collective = Supplier()
        collective.name = "泥溪镇黄岭村股份经济合作联合社"; collective.kind = SupplierKind.villageCollective.rawValue
        collective.regionCode = "500235139201"; collective.creditCode = makeCreditCode("N2500235MF0000001")
        try await collective.create(on: db)
        let family = Supplier()
        family.name = households[2].nameMasked; family.kind = SupplierKind.household.rawValue
        family.regionCode = households[2].regionCode; family.$household.id = households[2].id
        try await family.create(on: db)

        let stationed = Pairing()
        stationed.kind = PairingKind.stationedInVillage.rawValue; stationed.$helperUnit.id = hospital.id
        stationed.helpedRegionCode = "500235105201"; stationed.startsOn = "2021-06-01"; stationed.note = "示例"
        stationed.matchTownship = false; stationed.status = Pairing.confirmed
        try await stationed.create(on: db)

        let users: [(String, String, Role, (User) -> Void)] = [
            ("admin", "系统管理员", .admin, { _ in }),
            ("yunyang.office", "云阳县乡村振兴局 周科长", .office, { $0.regionCode = county; $0.$office.id = office.id }),
            ("yunyang.jiaowei", "县教委 吴老师", .leadUnit, { $0.$system.id = education.id }),
            ("yunyang.hospital", "县人民医院 郑主任", .buyer, { $0.$buyerUnit.id = hospital.id }),
            ("longjiao.coop", "合作社 刘主任", .supplier, { $0.$supplier.id = coop.id }),
            ("longjiao.clerk", "龙角镇 孙干事", .clerk, { $0.regionCode = longjiao }),
        ]
        let hash = try Bcrypt.hash(password, cost: 10)
        for (username, name, role, anchor) in users {
            let u = User()
            u.username = username; u.displayName = name; u.role = role.rawValue; u.passwordHash = hash
            u.isActive = true
            anchor(u)
            try await u.create(on: db)
        }
        try await Audit.record(origin, on: db, action: "seed", entity: "demo", id: nil, region: county,
                               after: ["users": users.count, "households": households.count])
    }

    static func unit(_ name: String, _ kind: BuyerKind, _ region: String, system: Int?, canteen: Bool,
                             fiveInto: Bool, level: HelpLevel?, _ db: any Database) async throws -> BuyerUnit {
        let b = BuyerUnit()
        b.name = name; b.kind = kind.rawValue; b.regionCode = region; b.isBudgetUnit = kind != .stateEnterprise
        b.hasCanteen = canteen; b.hasFiveIntoDuty = fiveInto; b.helpLevel = level?.rawValue; b.$system.id = system
        try await b.create(on: db)
        return b
    }

    static func makeCreditCode(_ first17: String) -> String { first17 + String(CreditCode.checkCharacter(for: first17)!) }
    static func makeID(_ first17: String) -> String { first17 + String(ResidentID.checkCharacter(for: first17)!) }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}
