import Fluent

/// Hardening (issue 12): sessions that expire and know their user, login throttling, sealed household contacts.
enum Migrations006 {
    static func register(on migrations: Migrations, cipher: FieldCipher) {
        migrations.add(CreateSessions())
        migrations.add(CreateLoginThrottle())
        migrations.add(DropAccountLock())
        migrations.add(CreateWriteClaim())
        migrations.add(SealHouseholdContacts(cipher: cipher))
    }
}
