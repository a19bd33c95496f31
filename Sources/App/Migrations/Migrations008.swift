import Fluent

/// 产销对接 (issue 14): buyers' needs.
enum Migrations008 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateNeeds())
    }
}
