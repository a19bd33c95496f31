import Fluent

/// Stored files: offer photos, application documents.
enum Migrations003 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateAttachment())
    }
}
