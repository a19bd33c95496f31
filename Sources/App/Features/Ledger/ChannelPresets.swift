import BangfuKit
import Fluent

/// 云阳县's channels (seed 003, 六销) and the platforms of seed 000, as a jurisdiction's starting list.
enum ChannelPresets {
    static let yunyang: [(code: String, name: String, heading: String, viaPlatform: Bool)] = [
        ("p832", "832平台", "平台", true),
        ("cityPlatform", "本市消费帮扶供销数据平台", "平台", true),
        ("hall", "消费帮扶专馆/专柜/专区", "平台", true),
        ("fiveInto", "五进对接直销", "五进对接直销", false),
        ("paired", "对口帮扶助销", "对口帮扶助销", false),
        ("charity", "爱心企业订销", "爱心企业订销", false),
        ("fair", "节会推介展销", "节会推介展销", false),
        ("ecommerce", "电子商务营销", "电子商务营销", false),
        ("tourism", "旅游服务带销", "旅游服务带销", false),
    ]

    static func load(jurisdiction: String, on db: any Database) async throws {
        for c in yunyang {
            try await Channel(code: c.code, name: c.name, heading: c.heading, jurisdiction: jurisdiction, viaPlatform: c.viaPlatform).create(on: db)
        }
        try await Platform(code: "p832", name: "832平台", channelCode: "p832", mapping: .p832).create(on: db)
    }
}
