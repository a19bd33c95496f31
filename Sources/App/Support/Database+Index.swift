import Fluent
import SQLKit
import Vapor

extension Database {
    /// Creates a plain index, or with `predicate` a partial one (rows outside it cost the index nothing); Fluent's
    /// schema builder has neither.
    func index(_ name: String, on table: String, _ columns: String..., where predicate: String? = nil) async throws {
        var builder = (self as! any SQLDatabase).create(index: name).on(table)
        for column in columns { builder = builder.column(column) }
        builder.createIndex.predicate = predicate.map { SQLRaw($0) }
        try await builder.run()
    }

    var isPostgres: Bool { (self as? any SQLDatabase)?.dialect.name == "postgresql" }
}

extension Database {
    /// Readies this connection for a bulk write. SQLite's default page cache (2 MiB) spills a big transaction's
    /// index pages to the log and reads them back: a 256 MiB cache keeps a large import's working set in memory,
    /// and no more than that (sorts still spill to temporary files).
    func readyForBulkWrites() async throws {
        guard !isPostgres else { return }
        try await (self as! any SQLDatabase).raw("PRAGMA cache_size = -262144").run()
    }

    /// Tells PostgreSQL's planner how big a table has grown inside this transaction: its statistics do not see
    /// the transaction's own rows until commit (ANALYZE run inside it does), so an import's lookups would be
    /// planned as if the table were still empty and scan it whole for every chunk, and the reads right after
    /// an import would be planned on the rollups' old sizes.
    func refreshStatistics(of table: String) async throws {
        guard isPostgres else { return }
        try await (self as! any SQLDatabase).raw("ANALYZE \(ident: table)").run()
    }

    /// Readies a table written afresh for its readers, outside any transaction: until a vacuum has passed,
    /// PostgreSQL's first readers of each row mark it committed (writing its page again) and its index-only scans
    /// visit the table for every entry. Served unvacuumed, a rebuilt catalogue of a million offers answered the
    /// first minute's searches at a p99 of 207 ms with 66 timeouts; vacuumed, 15 ms with none.
    /// (Its statistics are `refreshStatistics`' work, inside the transaction.)
    func vacuum(_ table: String) async throws {
        guard isPostgres else { return }
        try await (self as! any SQLDatabase).raw("VACUUM \(ident: table)").run()
    }
}

extension Database {
    /// A transaction that holds the write lock from its first statement. SQLite starts a transaction deferred, as a
    /// reader; when it later writes after another connection has committed, it fails with "database is locked"
    /// at once, whatever the busy handler would wait. Claiming the lock first makes a writer wait its turn
    /// instead: a long import and the site's own writes queue rather than throw each other's work away.
    /// PostgreSQL's row locks need no claim.
    func writeTransaction<T: Sendable>(_ body: @Sendable @escaping (any Database) async throws -> T) async throws -> T {
        let listings = CatalogueGeneration.Pending()
        let result = try await CatalogueGeneration.$pending.withValue(listings) {
            try await transaction { db in
                if db.isPostgres {
                    let lock: SQLQueryString = "SELECT pg_advisory_xact_lock_shared(\(unsafeRaw: Self.writers))"
                    try await (db as! any SQLDatabase).raw(lock).run()
                } else {
                    try await (db as! any SQLDatabase).raw("UPDATE write_claim SET n = n + 1 WHERE id = 1").run()
                }
                return try await body(db)
            }
        }
        // Once committed: an answer cached while the transaction ran shows what it replaced.
        if listings.changed { CatalogueGeneration.advance() }
        return result
    }

    /// Every write transaction on PostgreSQL holds this advisory lock shared while it runs.
    static var writers: String { "727300" }

    /// The highest id of `table` below which every row is committed. SQLite commits writers one at a time, in id
    /// order; PostgreSQL hands out ids before commit, so this waits for the write transactions in flight (a moment's
    /// exclusive hold of the writers' lock) — a run that remembers it never skips a row committed late.
    func committedMax(_ table: String) async throws -> Int {
        return try await transaction { db in
            let sql = db as! any SQLDatabase
            if db.isPostgres {
                try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: Self.writers))").run()
            }
            return try await sql.raw("SELECT MAX(id) AS m FROM \(ident: table)").first(decoding: MaxID.self)?.m ?? 0
        }
    }
}

private struct MaxID: Decodable { let m: Int? }

extension Application {
    /// SQLite keeps one connection per event loop (FluentSQLiteDriver's pool), each with a 2 MiB page cache by
    /// default: under many readers every page of an index walk was a `pread` copied from the kernel. Each loop's
    /// connection maps the file (1 GiB; pages shared with the OS cache, not copied) and keeps 64 MiB of pages.
    /// A multi-row insert inside a transaction keeps the pages it changes in a statement journal, written to a
    /// temporary file past 64 KiB (a twentieth of a bulk import's time was its `pwrite`s): in memory it holds at most
    /// what one statement of 500 rows touches. Sorts spill to files whatever this says; TEMP tables and transient
    /// B-trees (the rollups' small stage table, a DISTINCT) stay in memory.
    func readyForReads() async throws {
        for loop in eventLoopGroup.makeIterator() {
            guard let db = databases.database(logger: logger, on: loop) as? any SQLDatabase else { continue }
            try await db.raw("PRAGMA mmap_size = 1073741824").run()
            try await db.raw("PRAGMA cache_size = -65536").run()
            try await db.raw("PRAGMA temp_store = MEMORY").run()
        }
    }
}
