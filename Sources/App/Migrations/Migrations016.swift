import Fluent

/// Issue 17: a catalogue import without the seller index's random writes.
enum Migrations016 {
    static func register(on migrations: Migrations) {
        migrations.add(DropOffersBySeller())
    }
}
