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

extension Database {
    /// Readies this connection for a bulk write. SQLite's default page cache (2 MiB) spills a big transaction's
    /// index pages to the log and reads them back: a 256 MiB cache and pages read through a memory map keep a
    /// large import's working set in memory, and no more than that (sorts still spill to temporary files).
    func readyForBulkWrites() async throws {
        guard !isPostgres else { return }
        for pragma in ["cache_size = -262144", "mmap_size = 4294967296"] {
            try await (self as! any SQLDatabase).raw("PRAGMA \(unsafeRaw: pragma)").run()
        }
    }
}
