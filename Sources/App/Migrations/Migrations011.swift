import Fluent

/// Issue 15 completed: re-runs that touch only what changed, flags a township can see, the uncertified-rows policy,
/// and the weights a cooperative declares for its households.
enum Migrations011 {
    static func register(on migrations: Migrations, cipher: FieldCipher) {
        migrations.add(AddIncrementalReconciliation())
        migrations.add(AddLedgerPolicies())
        migrations.add(AddSupplyKeys(cipher: cipher))
    }
}
