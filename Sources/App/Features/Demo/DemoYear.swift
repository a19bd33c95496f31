import Foundation
import BangfuKit
import Fluent

/// A county's year for the demo: a unit per township office, school and health centre beside the county's own,
/// offers from every township, a few thousand purchases through all six 六销 channels and the platforms (most
/// verified, the latest weeks pending), canteen declarations, the last ended quarter closed and its bulletin
/// published. Generated from a fixed seed, so every first start shows the same county; written in bulk.
enum DemoYear {
    /// A small deterministic generator (SplitMix64): the same demo on every machine.
    struct Dice {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
    }

    static let departments = ["云阳县财政局", "云阳县农业农村委员会", "云阳县商务委员会", "云阳县卫生健康委员会", "云阳县民政局",
                              "云阳县交通局", "云阳县住房和城乡建设委员会", "云阳县人力资源和社会保障局", "云阳县公安局", "云阳县人民法院",
                              "云阳县人民检察院", "云阳县税务局", "云阳县总工会", "云阳县供销合作社", "云阳县中医院", "云阳中学",
                              "云阳县职业教育中心", "重庆三峡银行云阳支行", "云阳县城市建设投资有限公司", "云阳县文化和旅游发展委员会"]
    static let produce: [(variety: String, unit: String, fen: Int64)] = [
        ("云阳红橙", "斤", 450), ("土豆", "斤", 150), ("腊肉", "斤", 4_500), ("土蜂蜜", "斤", 6_000), ("魔芋", "斤", 300),
        ("核桃", "斤", 1_800), ("菊花", "斤", 8_000), ("高山茶叶", "斤", 12_000), ("土鸡蛋", "枚", 150), ("红薯粉条", "斤", 1_200),
        ("香菇", "斤", 2_500), ("脆李", "斤", 600),
    ]
    static let channels = ["fiveInto", "fiveInto", "fiveInto", "paired", "charity", "fair", "ecommerce",
                           "ecommerce", "tourism",
                           "p832", "p832", "hall"]

    static func load(on db: any Database, cipher: FieldCipher, files: any FileStore, today: LocalDate) async throws {
        var dice = Dice(state: 20_261_130)
        let regions = try await Region.query(on: db).filter(\.$id =~ "500235").all()
        let townships = regions.filter { RegionCode($0.id!)?.level == .township }.sorted { $0.id! < $1.id! }
        let deep = Set(regions.filter(\.isDeepPoverty).compactMap(\.id))
        let education = try await LeadSystem.query(on: db).filter(\.$name == "教育系统").first()
        let health = LeadSystem(name: "卫生健康系统", leadName: "云阳县卫生健康委员会", regionCode: DemoData.county)
        try await health.create(on: db)
        var units = try await BuyerUnit.query(on: db).filter(\.$regionCode =~ "500235").all()
        for name in departments {
            let kind: BuyerKind = name.contains("医院") ? .hospital : name.contains("中学") || name.contains("职业") ? .school
                : name.contains("银行") ? .financial : name.contains("公司") ? .stateEnterprise
                : name.contains("工会") ? .union
                : .partyGovernment
            units.append(try await DemoData.unit(name, kind, DemoData.county,
                                                 system: kind == .hospital ? health.id : nil, canteen: kind != .union,
                                                 fiveInto: kind != .financial, level: .county, db))
        }
        for t in townships {
            let town = t.name
            units.append(try await DemoData.unit("\(town)人民政府", .partyGovernment, t.id!, system: nil,
                                                  canteen: true, fiveInto: true,
                                                  level: nil, db))
            units.append(try await DemoData.unit("\(town)中心小学", .school, t.id!, system: education?.id,
                                                  canteen: true, fiveInto: true,
                                                  level: nil, db))
            units.append(try await DemoData.unit("\(town)卫生院", .hospital, t.id!, system: health.id,
                                                  canteen: true, fiveInto: true,
                                                  level: nil, db))
            units.append(try await DemoData.unit("\(town)中学", .school, t.id!, system: education?.id,
                                                  canteen: true, fiveInto: true,
                                                  level: nil, db))
        }
        try await offers(townships, today: today, cipher: cipher, dice: &dice, on: db)
        try await photos(files: files, on: db)
        try await declarations(units, year: today.year, dice: &dice, on: db)
        let origins = regions.filter { [.township, .village].contains(RegionCode($0.id!)?.level) }.compactMap(\.id)
        try await purchases(units, origins: origins, deep: deep, today: today, cipher: cipher, dice: &dice, on: db)
        try await closeAndPublish(today: today, on: db)
    }

    /// Five offers from every township's cooperatives, most certified, a few in 公示.
    static func offers(_ townships: [Region], today: LocalDate, cipher: FieldCipher, dice: inout Dice,
                       on db: any Database) async throws {
        let origin = Audit.Origin.command("seed-demo")
        var number = 1     // the demo's 红橙 holds 0001
        for t in townships {
            for (i, item) in (0..<5).map({ _ in dice.pick(produce) }).enumerated() {
                let seller = "\(t.name)\(item.variety)专业合作社"
                let draft = OfferService.Draft(
                    region: RegionCode(t.id!)!, supplierID: nil, seller: seller, category: .guess(for: item.variety),
                    variety: item.variety, quantity: Quantity.parse("\(100 * (1 + dice.next(50)))\(item.unit)")!,
                    price: UnitPrice(fen: Fen(item.fen * Int64(90 + dice.next(30)) / 100), unit: item.unit),
                    method: .delivery, shopURL: nil, contactName: "\(t.name)合作社",
                    contactPhone: "023-5576\(String(format: "%04d", number))",
                    marks: dice.next(4) == 0 ? [.geographicalIndication] : [], linkedHouseholds: 3 + dice.next(30),
                    note: nil)
                let (offer, _) = try await OfferService.save(draft, source: "demo", origin: origin, cipher: cipher,
                                                             today: today.adding(days: -dice.next(20)), on: db)
                guard i < 4 else { continue }
                number += 1
                let a = ProductApplication()
                a.$offer.id = offer.id!
                a.regionCode = offer.regionCode
                a.productName = offer.variety
                a.documents = "营业执照、检测报告（示例）"
                a.record = i < 3 ? CertificationRecord(state: .certified, validFrom: today.adding(days: -60),
                                                       validUntil: today.adding(months: 22))
                    : CertificationRecord(state: .inPublicity, publicityEnds: today.adding(days: 4))
                a.certificateNo = i < 3 ? "帮认500235-\(today.year)-\(String(format: "%04d", number))" : nil
                try await a.create(on: db)
            }
        }
    }

    /// A picture on every offer: one drawn per variety, stored once (the store is content-addressed).
    static func photos(files: any FileStore, on db: any Database) async throws {
        var stored: [String: (sha: String, size: Int)] = [:]
        for offer in try await Offer.query(on: db).all() {
            if stored[offer.variety] == nil {
                let png = DemoPhotos.png(for: offer.variety)
                stored[offer.variety] = (try await files.put(png), png.count)
            }
            let a = Attachment()
            a.sha256 = stored[offer.variety]!.sha; a.size = stored[offer.variety]!.size
            a.filename = "\(offer.variety).png"; a.contentType = "image/png"
            a.entity = "offer"; a.entityID = offer.id!; a.regionCode = offer.regionCode
            try await a.create(on: db)
        }
    }

    static func declarations(_ units: [BuyerUnit], year: Int, dice: inout Dice, on db: any Database) async throws {
        for u in units where u.hasCanteen && u.name != "云阳县人民医院" {
            let d = DeclarationRecord()
            d.$buyerUnit.id = u.id!; d.buyerRegionCode = u.regionCode; d.buyerSystemID = u.$system.id; d.year = year
            d.kind = DeclarationKind.canteenFood.rawValue
            d.value = Int64(30 + dice.next(170)) * 1_000_000
            d.declaredBy = "seed-demo"
            try await d.create(on: db)
        }
    }

    /// Two to four purchases a month per unit since January: verified once an office has looked, the last weeks
    /// pending.
    static func purchases(_ units: [BuyerUnit], origins: [String], deep: Set<String>,
                          today: LocalDate, cipher: FieldCipher,
                          dice: inout Dice, on db: any Database) async throws {
        let channels = try await ChannelList.load(on: db)
        let sellers = ["张", "李", "王", "陈", "刘", "杨", "黄", "周", "吴", "谭"]
            .flatMap { s in ["大山", "秀兰", "建国", "小梅"].map { s + $0 } }
        var rows: [PurchaseRow] = []
        for month in 1...today.month {
            for u in units {
                for _ in 0..<(2 + dice.next(3)) {
                    let day = LocalDate(year: today.year, month: month, day: 1 + dice.next(28))
                    guard day <= today else { continue }
                    let item = dice.pick(produce), origin = dice.pick(origins), seller = dice.pick(sellers)
                    guard let channel = channels.channel(dice.pick(Self.channels), for: u.regionCode) else { continue }
                    let amount = Int64(20 + dice.next(800)) * 2_500
                    var p = PurchaseRow()
                    p.buyerUnitID = u.id!; p.buyerRegionCode = u.regionCode; p.buyerSystemID = u.$system.id
                    p.purchasedOn = day.description; p.bookedOn = day.description; p.originRegionCode = origin
                    p.fromDeepPoverty = deep.contains(origin) || deep.contains(String(origin.prefix(9)) + "000")
                    p.sellerMasked = Mask.name(seller); p.sellerKey = cipher.lookupHash("\(origin)|\(seller)")
                    p.variety = item.variety
                    p.quantityUnit = item.unit
                    p.quantityThousandths = amount * 1_000 / item.fen
                    p.amountFen = amount; p.channelCode = channel.code; p.viaPlatform = channel.viaPlatform
                    p.purpose = (u.kind == BuyerKind.union.rawValue ? PurchasePurpose.unionWelfare
                                 : dice.next(5) == 0 ? .condolence : .canteen).rawValue
                    p.source = (channel.viaPlatform ? PurchaseSource.platform : .manual).rawValue
                    p.sourceRef = channel.viaPlatform ? "DEMO-\(rows.count + 1)" : nil
                    p.reporter = "seed-demo"
                    let recent = day > today.adding(days: -21)
                    p.state = (recent && dice.next(2) == 0 ? VerificationState.pending : .verified).rawValue
                    rows.append(p)
                }
            }
        }
        let end = try await Purchase.query(on: db).max(\.$id) ?? 0, batch = "demo-year"
        for chunk in rows.chunked(2_000) { try await BulkInsert.purchases(Array(chunk), batch: batch, on: db) }
        try await Rollups.add(rows: "id > \(bind: end) AND import_batch = \(bind: batch)", sign: 1, on: db)
    }

    /// The last quarter that has ended: its months closed, its bulletin published.
    static func closeAndPublish(today: LocalDate, on db: any Database) async throws {
        let quarter = (today.month - 1) / 3
        guard quarter >= 1 else { return }
        let county = RegionCode(DemoData.county)!
        for m in (quarter * 3 - 2)...(quarter * 3) {
            let c = ClosedPeriod()
            c.jurisdictionCode = county.digits
            c.month = String(format: "%d-%02d", today.year, m)
            c.closedBy = "seed-demo"
            try await c.create(on: db)
        }
        let bulletin = try await BulletinController.build(jurisdiction: county, year: today.year, quarter: quarter,
                                                          on: db)
        let r = BulletinRecord()
        r.jurisdictionCode = county.digits; r.year = today.year; r.quarter = quarter; r.title = bulletin.title
        r.asOf = bulletin.asOf.description
        r.dataVersion = try await Purchase.query(on: db).max(\.$id) ?? 0
        r.publishedBy = "seed-demo"
        r.snapshot = String(decoding: try JSONEncoder().encode(bulletin), as: UTF8.self)
        try await r.create(on: db)
    }
}
