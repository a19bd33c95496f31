import Fluent

/// Three-source reconciliation (issue 15): carriers' shipments, proposed and decided links, each row's outcome;
/// ledger flags and each jurisdiction's thresholds.
enum Migrations010 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateReconciliation())
        migrations.add(CreateLedgerFlags())
    }
}
