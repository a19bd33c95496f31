import Fluent

/// The purchase ledger and its rollups (issue 4, first part).
enum Migrations004 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateLedger())
        migrations.add(CreatePlatform())
    }
}
