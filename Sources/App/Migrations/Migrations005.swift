import Fluent

/// Periods, policies, declarations, the reporting calendar and bulletins (issue 5).
enum Migrations005 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateQuotas())
    }
}
