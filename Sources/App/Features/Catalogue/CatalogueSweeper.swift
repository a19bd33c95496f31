import Vapor

/// Runs `CatalogueListings.sweep` when a server starts and every hour after, so that what time takes out of the
/// public catalogue (an expired certificate, an offer a month without update, a bar that ended) leaves or returns to
/// its index within the hour. Searches check those conditions themselves: a missed sweep costs speed only.
final class CatalogueSweeper: PeriodicWork, @unchecked Sendable {
    init() { super.init(every: .seconds(3_600)) }

    override func round(_ app: Application) async {
        do {
            try await app.db.writeTransaction { db in
                try await CatalogueListings.sweep(today: app.today, on: db)
            }
        } catch {
            app.logger.warning("catalogue sweep failed: \(String(describing: error))")
        }
    }
}

/// `bangfu list-catalogue [--rebuild]`: the sweep at once (for cron where servers restart rarely), or the whole index
/// written afresh (after data was loaded past the application, as a benchmark does).
struct ListCatalogueCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "rebuild", help: "重建整个目录索引") var rebuild: Bool
    }
    var help: String {
        "整理公开目录索引：移出过期、超过一个月未更新的产品，恢复黑名单到期的主体"
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application, started = Date()
        try await app.db.writeTransaction { db in
            try await db.readyForBulkWrites()
            if signature.rebuild {
                try await CatalogueListings.rebuild(on: db, today: app.today)
            } else {
                try await CatalogueListings.sweep(today: app.today, on: db)
            }
        }
        if signature.rebuild {
            try await app.db.vacuum(CatalogueListings.listings)
            try await app.db.vacuum(CatalogueListings.terms)
        }
        let ms = Int(Date().timeIntervalSince(started) * 1_000)
        context.console.print("公开目录索引已整理，用时 \(ms) 毫秒")
    }
}
