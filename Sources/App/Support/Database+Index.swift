import Fluent
import SQLKit

extension Database {
    /// Creates a plain index; Fluent's schema builder has none.
    func index(_ name: String, on table: String, _ columns: String...) async throws {
        var builder = (self as! any SQLDatabase).create(index: name).on(table)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }

    var isPostgres: Bool { (self as? any SQLDatabase)?.dialect.name == "postgresql" }
}
