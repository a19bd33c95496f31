import Fluent

/// The first schema. Later schema changes go in Migrations/002 and on, never by editing these.
enum Migrations001 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateRegion())
        migrations.add(CreateOrganisations())
        migrations.add(CreateHouseholdsAndSuppliers())
        migrations.add(CreatePairing())
        migrations.add(CreateUserAndToken())
        migrations.add(CreateAuditEntry())
        migrations.add(SessionRecord.migration)
    }
}
