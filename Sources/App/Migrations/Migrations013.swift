import BangfuKit
import Fluent

/// Issue 17: the public catalogue at province scale.
enum Migrations013 {
    static func register(on migrations: Migrations, today: LocalDate) {
        migrations.add(CreateCatalogueListings(today: today))
    }
}
