import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import SQLKit
import Vapor

/// Builds the whole application from an explicit configuration.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.storage[AppConfigKey.self] = config
    if let day = config.fixedToday { app.storage[TodayKey.self] = { day } }
    try configureDatabase(app, config)
    if let url = config.readReplicaURL { try configureReplica(app, url, instance: config.instance) }

    app.sessions.use { _ in SessionStore() }
    app.sessions.configuration.cookieName = "bangfu_session"
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, maxAge: 8 * 3600, path: "/", isSecure: config.secureCookies,
                          isHTTPOnly: true, sameSite: .lax)
    }

    app.middleware = .init()
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(strictTransport: config.secureCookies))
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(InputHygieneMiddleware())
    app.middleware.use(ReplicaRouting())

    app.views.use(.leaf)
    app.routes.defaultMaxBodySize = ByteCount(value: BodyLimits.collected)

    Migrations001.register(on: app.migrations)
    Migrations002.register(on: app.migrations)
    Migrations003.register(on: app.migrations)
    Migrations004.register(on: app.migrations)
    Migrations005.register(on: app.migrations)
    Migrations006.register(on: app.migrations, cipher: FieldCipher(key: config.dataKey))
    Migrations007.register(on: app.migrations)
    Migrations008.register(on: app.migrations)
    Migrations009.register(on: app.migrations)
    Migrations010.register(on: app.migrations)
    Migrations011.register(on: app.migrations, cipher: FieldCipher(key: config.dataKey))
    Migrations012.register(on: app.migrations)
    Migrations013.register(on: app.migrations, today: app.today)
    Migrations014.register(on: app.migrations)
    Migrations015.register(on: app.migrations)
    Migrations016.register(on: app.migrations)
    let jobs = JobQueue(instance: config.instance, leaseSeconds: config.jobLeaseSeconds)
    jobs.register(PlatformImport.jobKind, PlatformImport.job)
    jobs.register(LedgerExport.jobKind, LedgerExport.job)
    jobs.register(PriceWarnings.jobKind, PriceWarnings.job)
    jobs.register(ReconciliationJobs.Kind.reconciliation.rawValue, ReconciliationJobs.reconciliation)
    jobs.register(ReconciliationJobs.Kind.flagScan.rawValue, ReconciliationJobs.flagScan)
    app.storage[JobQueueKey.self] = jobs
    app.publicCache = PublicResponseCache(seconds: config.publicCacheSeconds)
    app.storage[MarketPricesKey.self] = MarketPrices()
    app.register(BackgroundJob("needs rematch") { _ = try await NeedRematch.run(on: $0.db, today: $0.today) },
                 as: "needs rematch")
    app.register(BackgroundJob("flag scan") { _ = try await IncrementalFlagScan.run(on: $0.db) }, as: "flag scan")
    registerCommands(app)
    if config.opensDatabaseAtStart {
        app.lifecycle.use(JobRunner())
        if app.environment != .testing {
            app.lifecycle.use(CatalogueSweeper())
            app.lifecycle.use(HeapTrimmer())
            if case .sqlite(let path) = config.database { app.warmPageCache(of: path) }
        }
    }

    try routes(app)

    if case .sqlite = config.database, config.opensDatabaseAtStart {
        // WAL survives crashes without losing committed writes and lets readers run beside a writer.
        try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").run()
        try await app.readyForReads()
    }
    if config.autoMigrate { try await app.autoMigrate() }
    ImportFile.removeLeftovers(in: config.varDirectory)
    if config.seedDemo {
        if try await DemoData.isNeeded(on: app.db) {
            try await DemoData.load(on: app.db, cipher: app.fieldCipher, files: app.files, directory: app.directory,
                                    today: app.today)
            app.logger.notice("已载入演示数据 (demo data loaded)")
        }
        DemoData.printLogins(app.logger)
    }
}

/// The last migration this build registers: a server is ready (`/readyz`) once it has run.
let newestMigration = CreateReplicaMarks().name

struct AppConfigKey: StorageKey { typealias Value = AppConfig }

extension Application {
    var config: AppConfig { storage[AppConfigKey.self]! }
    var fieldCipher: FieldCipher { FieldCipher(key: config.dataKey) }
}

extension Request {
    var fieldCipher: FieldCipher { application.fieldCipher }
}

private func configureDatabase(_ app: Application, _ config: AppConfig) throws {
    switch config.database {
    // FluentSQLiteDriver keeps one connection per event loop whatever is asked: a long import holds its loop's,
    // and requests on that loop wait for it (up to a minute) rather than fail.
    case .sqlite(let path):
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(60)), as: .sqlite)
    // Several connections per loop: readers (pages, progress polls) go on beside a long import's write
    // transaction, and progress and bulletins read their registers and rollups at once. A request waits 10 s for
    // a connection, then is answered 503 (`DatabaseUnavailable`), not left hanging.
    case .postgres(let url):
        let pg = try postgres(url, instance: config.instance)
        app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: DatabasePools.perLoop,
                                    connectionPoolTimeout: .seconds(10)), as: .psql)
    }
}

/// The replica's pool: reads only, never the default, never migrated.
private func configureReplica(_ app: Application, _ url: String, instance: String) throws {
    let pg = try postgres(url, instance: instance)
    app.databases.use(.postgres(configuration: pg, maxConnectionsPerEventLoop: DatabasePools.perLoop,
                                connectionPoolTimeout: .seconds(10)),
                      as: .replica, isDefault: false)
}

/// Connections carry the server's name (`application_name`), so `/metrics` and `pg_stat_activity` tell servers apart.
private func postgres(_ url: String, instance: String) throws -> SQLPostgresConfiguration {
    var pg = try SQLPostgresConfiguration(url: url)
    pg.searchPath = nil
    pg.coreConfiguration.options.additionalStartupParameters = [("application_name", instance)]
    return pg
}
