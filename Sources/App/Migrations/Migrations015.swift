import Fluent

/// Issue 18: read-your-own-writes for API token clients behind a replica.
enum Migrations015 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateReplicaMarks())
    }
}
