import BangfuKit
import Fluent

/// The channel lists the seeds name, as presets an office adopts for its jurisdiction and then keeps as its own:
/// 云阳's 六销 (seed 003), 运城's 五进九销 (seed 000), 巫溪's 八销 (seed 002), 松江's 六进 (seed 004) and 云南's
/// platforms (seed 001). A channel code means the same everywhere it appears, so rows and rollups compare.
struct ChannelPreset: Sendable {
    struct Line: Sendable { let code: String, name: String, heading: String, viaPlatform: Bool }
    let code: String, name: String, source: String
    let channels: [Line]

    static let p832 = Line(code: "p832", name: "832平台", heading: "平台", viaPlatform: true)

    static let yunyang = ChannelPreset(code: "yunyang", name: "云阳县“六销”及平台", source: "种子文件003", channels: [
        p832,
        .init(code: "cityPlatform", name: "本市消费帮扶供销数据平台", heading: "平台", viaPlatform: true),
        .init(code: "hall", name: "消费帮扶专馆/专柜/专区", heading: "平台", viaPlatform: true),
        .init(code: "fiveInto", name: "五进对接直销", heading: "五进对接直销", viaPlatform: false),
        .init(code: "paired", name: "对口帮扶助销", heading: "对口帮扶助销", viaPlatform: false),
        .init(code: "charity", name: "爱心企业订销", heading: "爱心企业订销", viaPlatform: false),
        .init(code: "fair", name: "节会推介展销", heading: "节会推介展销", viaPlatform: false),
        .init(code: "ecommerce", name: "电子商务营销", heading: "电子商务营销", viaPlatform: false),
        .init(code: "tourism", name: "旅游服务带销", heading: "旅游服务带销", viaPlatform: false),
    ])

    /// Seed 000 names the scheme and these of its channels; an office adds the rest of its 九销 as its own.
    static let yuncheng = ChannelPreset(code: "yuncheng", name: "运城市“五进九销”", source: "种子文件000", channels: [
        p832,
        .init(code: "cityPlatform", name: "运城市消费帮扶供销数据平台", heading: "九销", viaPlatform: true),
        .init(code: "hall", name: "县（市、区）消费帮扶专馆（供销超市）", heading: "九销", viaPlatform: true),
        .init(code: "fiveInto", name: "“五进”对接承销", heading: "五进", viaPlatform: false),
    ])

    /// Seed 002's 八销, as the forms it names.
    static let wuxi = ChannelPreset(code: "wuxi", name: "巫溪县“八销”", source: "种子文件002", channels: [
        p832,
        .init(code: "directed", name: "定向采购", heading: "八销", viaPlatform: false),
        .init(code: "buyForDonation", name: "以购代捐", heading: "八销", viaPlatform: false),
        .init(code: "buyToHelp", name: "以买代帮", heading: "八销", viaPlatform: false),
        .init(code: "farmMarket", name: "助农集市", heading: "八销", viaPlatform: false),
        .init(code: "livestream", name: "直播带货", heading: "八销", viaPlatform: false),
        .init(code: "hall", name: "消费帮扶专馆/专柜/专区（三专）", heading: "八销", viaPlatform: true),
        .init(code: "ecommerce", name: "电商平台销售专区", heading: "八销", viaPlatform: false),
        .init(code: "fair", name: "展示展销", heading: "八销", viaPlatform: false),
    ])

    static let songjiang = ChannelPreset(code: "songjiang", name: "松江区“六进”", source: "种子文件004", channels: [
        .init(code: "intoOrgans", name: "进机关", heading: "六进", viaPlatform: false),
        .init(code: "intoSchools", name: "进学校", heading: "六进", viaPlatform: false),
        .init(code: "intoFirms", name: "进企业", heading: "六进", viaPlatform: false),
        .init(code: "intoCommunities", name: "进社区", heading: "六进", viaPlatform: false),
        .init(code: "intoStores", name: "进商超", heading: "六进", viaPlatform: false),
        .init(code: "intoPlatforms", name: "进平台", heading: "六进", viaPlatform: true),
    ])

    static let yunnan = ChannelPreset(code: "yunnan", name: "云南省平台", source: "种子文件001", channels: [
        p832,
        .init(code: "yunpinhui", name: "“一部手机云品荟”", heading: "平台", viaPlatform: true),
    ])

    static let all = [yunyang, yuncheng, wuxi, songjiang, yunnan]

    /// Adds the preset's channels a jurisdiction does not yet have, in the caller's transaction; returns them.
    func adopt(jurisdiction: String, on db: any Database) async throws -> [Channel] {
        let held = Set(try await Channel.query(on: db).filter(\.$jurisdictionCode == jurisdiction).all().map(\.code))
        var added: [Channel] = []
        for c in channels where !held.contains(c.code) {
            let row = Channel(code: c.code, name: c.name, heading: c.heading, jurisdiction: jurisdiction,
                              viaPlatform: c.viaPlatform)
            try await row.create(on: db)
            added.append(row)
        }
        if try await Platform.query(on: db).filter(\.$code == "p832").count() == 0,
           channels.contains(where: { $0.code == "p832" }) {
            try await Platform(code: "p832", name: "832平台", channelCode: "p832", mapping: .p832).create(on: db)
        }
        return added
    }
}

enum ChannelPresets {
    /// 云阳县's list, which the demo and the tests start from.
    static func load(jurisdiction: String, on db: any Database) async throws {
        _ = try await ChannelPreset.yunyang.adopt(jurisdiction: jurisdiction, on: db)
    }
}
