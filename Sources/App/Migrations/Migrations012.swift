import Fluent

/// Issue 16: 滞销监测预警 and emergency 消纳 campaigns.
enum Migrations012 {
    static func register(on migrations: Migrations) {
        migrations.add(CreatePriceWarnings())
    }
}
