import Fluent

/// Ledger truth and everyday use (issue 13): notes, provenance and proof waivers on ledger rows, each
/// jurisdiction's ledger settings, village-exact pairings and the names offices write for their units.
enum Migrations007 {
    static func register(on migrations: Migrations) {
        migrations.add(AddLedgerFacts())
        migrations.add(CreateLedgerSettings())
        migrations.add(AddPairingMatch())
        migrations.add(CreateUnitAliases())
        migrations.add(ChannelsPerJurisdiction())
    }
}
