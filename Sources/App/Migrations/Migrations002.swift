import Fluent

/// Catalogue and certification (issue 3).
enum Migrations002 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateCatalogue())
        migrations.add(CreateCertification())
    }
}
