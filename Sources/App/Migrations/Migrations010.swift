import Fluent

/// Three-source reconciliation (issue 15): carriers' shipments, proposed and decided links, each row's outcome.
enum Migrations010 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateReconciliation())
    }
}
