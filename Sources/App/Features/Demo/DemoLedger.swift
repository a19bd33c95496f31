import BangfuKit
import Fluent

/// The demo's year so far: verified purchases of the last months, the 云阳 policies adopted and the
/// hospital's declared canteen purchases, so that progress, bulletins and assessment have something to show.
enum DemoLedger {
    static func load(on db: any Database, cipher: FieldCipher, today: LocalDate) async throws {
        let county = RegionCode(DemoData.county)!
        try await PolicyRecord(PolicyPreset.yunyang.policy(jurisdiction: county, year: today.year), preset: PolicyPreset.yunyang.code).create(on: db)
        let reserve = Rule(code: "canteenReserve", name: "“五进”单位食堂食材预留不低于20%", kind: .share, binds: .init(fiveInto: true),
                           base: .canteenFood, shareBP: 2_000)
        let own = Policy(name: "\(today.year)年云阳县机关食堂预留份额", jurisdiction: county, year: today.year,
                         startsOn: LocalDate(year: today.year, month: 1, day: 1), endsOn: LocalDate(year: today.year, month: 12, day: 31), rules: [reserve])
        try await PolicyRecord(own, preset: nil).create(on: db)

        let units = try await BuyerUnit.query(on: db).filter(\.$regionCode == DemoData.county).sort(\.$id).all()
        guard let hospital = units.first(where: { $0.name == "云阳县人民医院" }) else { return }
        let d = DeclarationRecord()
        d.$buyerUnit.id = hospital.id!; d.buyerRegionCode = hospital.regionCode; d.year = today.year
        d.kind = DeclarationKind.canteenFood.rawValue; d.value = 50_000_000; d.declaredBy = "seed-demo"
        try await d.create(on: db)

        let lines: [(months: Int, unit: Int, village: String, seller: String, variety: String, qty: Int64, fen: Int64, channel: String, purpose: PurchasePurpose)] = [
            (5, 0, "500235105201", "王建国", "土豆", 500, 1_500_00, "fiveInto", .canteen),
            (4, 0, "500235139201", "李德福", "腊肉", 80, 4_800_00, "fiveInto", .canteen),
            (3, 1, "500235105201", "张秀英", "云阳红橙", 1_000, 4_500_00, "ecommerce", .unionWelfare),
            (2, 0, "500235139201", "陈国强", "蜂蜜", 60, 3_600_00, "p832", .canteen),
            (1, 2, "500235105201", "王建国", "土豆", 300, 900_00, "fiveInto", .canteen),
        ]
        for l in lines where l.unit < units.count {
            let u = units[l.unit]
            let day = today.adding(months: -l.months)
            let p = Purchase()
            p.$buyerUnit.id = u.id!; p.buyerRegionCode = u.regionCode; p.buyerSystemID = u.$system.id
            p.purchasedOn = LocalDate(year: day.year, month: day.month, day: 10).description; p.bookedOn = p.purchasedOn
            p.originRegionCode = l.village; p.fromDeepPoverty = l.village.hasPrefix("500235139")
            p.sellerMasked = Mask.name(l.seller); p.sellerKey = cipher.lookupHash("\(l.village)|\(l.seller)")
            p.variety = l.variety; p.quantityThousandths = l.qty * 1_000; p.quantityUnit = "斤"; p.amountFen = l.fen
            p.purpose = l.purpose.rawValue; p.channelCode = l.channel; p.viaPlatform = l.channel == "p832"
            p.source = PurchaseSource.manual.rawValue; p.reporter = "seed-demo"; p.state = VerificationState.verified.rawValue
            try await p.create(on: db)
            try await Rollups.add(p, sign: 1, on: db)
            try await Audit.record(.command("seed-demo"), on: db, action: "create", entity: "purchase", id: p.id, region: p.originRegionCode,
                                   after: PurchaseDTO(p))
        }
    }
}
