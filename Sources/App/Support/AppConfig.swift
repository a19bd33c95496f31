import BangfuKit
import Foundation
import Vapor
import Crypto

/// Everything the app needs from outside, read once at start-up. Tests build one by hand.
public struct AppConfig: Sendable {
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var database: Database
    /// AES-256 key for personal data at rest (household names, ID numbers, phones).
    public var dataKey: SymmetricKey
    /// Where the SQLite file, generated keys and uploaded files live.
    public var varDirectory: String
    public var autoMigrate: Bool
    public var seedDemo: Bool
    /// Marks the session cookie Secure; on when served behind HTTPS.
    public var secureCookies: Bool
    /// Outside production only: a fixed "today" (BANGFU_TODAY=2026-11-02), for demos and browser tests
    /// that must see a 公示 window pass.
    public var fixedToday: LocalDate? = nil
    /// Whether start-up may open the database (SQLite's WAL switch): not for `--help` and other commands.
    public var opensDatabaseAtStart = true
    /// How long anonymous catalogue answers are kept (`BANGFU_PUBLIC_CACHE_SECONDS`, 0 to keep none).
    public var publicCacheSeconds = 5
    /// A streaming replica for heavy reads (`DATABASE_READ_URL`): bulletins, exports, the public catalogue.
    public var readReplicaURL: String? = nil
    /// How long a job's lease lasts before another server may take it over (`BANGFU_JOB_LEASE_SECONDS`).
    public var jobLeaseSeconds = 30
    /// This server's name in job leases and responses (`BANGFU_INSTANCE`, else host:pid).
    public var instance = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    public init(database: Database, dataKey: SymmetricKey, varDirectory: String,
                autoMigrate: Bool = true, seedDemo: Bool = false, secureCookies: Bool = false) {
        self.database = database; self.dataKey = dataKey; self.varDirectory = varDirectory
        self.autoMigrate = autoMigrate; self.seedDemo = seedDemo; self.secureCookies = secureCookies
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// Production refuses to start without an explicit database and key: no default credentials.
    public static func load(_ env: Environment, variables: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        let varDir = variables["BANGFU_VAR_DIR"] ?? "var"
        let url = variables["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if env == .production {
            guard variables["BANGFU_TODAY"].map({ $0.isEmpty }) ?? true else {
                throw Missing(description: "生产环境不能设置 BANGFU_TODAY（固定“今天”只用于演示和测试）")
            }
            guard let url, url.hasPrefix("postgres") else {
                throw Missing(description: "生产环境必须设置 DATABASE_URL=postgres://用户:密码@主机/库名 (production needs DATABASE_URL)")
            }
            guard let key = variables["BANGFU_DATA_KEY"] else {
                throw Missing(description: "生产环境必须设置 BANGFU_DATA_KEY（32字节密钥的 base64，可用 `openssl rand -base64 32` 生成）")
            }
            var config = AppConfig(database: .postgres(url: url), dataKey: try parseKey(key), varDirectory: varDir,
                                   autoMigrate: variables["BANGFU_AUTO_MIGRATE"] == "1", seedDemo: false,
                                   secureCookies: variables["BANGFU_INSECURE_COOKIES"] != "1")
            try config.readOperations(variables)
            return config
        }
        try FileManager.default.createDirectory(atPath: varDir, withIntermediateDirectories: true)
        let database: Database = url.map { .postgres(url: $0) } ?? .sqlite(path: "\(varDir)/bangfu.sqlite")
        let key = try variables["BANGFU_DATA_KEY"].map(parseKey) ?? localKey(in: varDir)
        var config = AppConfig(database: database, dataKey: key, varDirectory: varDir,
                               autoMigrate: true, seedDemo: variables["BANGFU_DEMO"] != "0")
        if let text = variables["BANGFU_TODAY"], !text.isEmpty {
            guard let day = LocalDate(text) else { throw Missing(description: "BANGFU_TODAY 应为日期，如 2026-11-02") }
            config.fixedToday = day
        }
        try config.readOperations(variables)
        return config
    }

    /// What several servers behind a proxy need set; each has a working default on one machine.
    private mutating func readOperations(_ variables: [String: String]) throws {
        publicCacheSeconds = try Self.seconds(variables, "BANGFU_PUBLIC_CACHE_SECONDS", 0...3_600) ?? publicCacheSeconds
        jobLeaseSeconds = try Self.seconds(variables, "BANGFU_JOB_LEASE_SECONDS", 2...3_600) ?? jobLeaseSeconds
        if let name = variables["BANGFU_INSTANCE"], !name.isEmpty { instance = name }
        // PostgreSQL keeps 63 bytes of `application_name`: longer, and /metrics would find no connection by it.
        while instance.utf8.count > 63 { instance.removeLast() }
        if let url = variables["DATABASE_READ_URL"], !url.isEmpty {
            guard url.hasPrefix("postgres"), case .postgres = database else {
                throw Missing(description: "DATABASE_READ_URL 只用于 PostgreSQL 的只读副本（postgres://…）")
            }
            readReplicaURL = url
        }
    }

    private static func seconds(_ variables: [String: String], _ name: String,
                                _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = variables[name], !text.isEmpty else { return nil }
        guard let seconds = Int(text), range.contains(seconds) else {
            throw Missing(description: "\(name) 应为 \(range.lowerBound) 到 \(range.upperBound) 的整数（秒）")
        }
        return seconds
    }

    /// Only the server migrates on start and loads (and prints) the demo: `create-user`, `import-regions` or any
    /// `--help` must not touch the database beyond their own work, nor print demo passwords.
    public mutating func limit(to arguments: [String]) {
        let command = arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "serve"
        let serving = command == "serve" && !arguments.contains { $0 == "--help" || $0 == "-h" }
        autoMigrate = autoMigrate && serving
        seedDemo = seedDemo && serving
        opensDatabaseAtStart = serving
    }

    static func parseKey(_ base64: String) throws -> SymmetricKey {
        guard let data = Data(base64Encoded: base64.trimmed), data.count == 32 else {
            throw Missing(description: "BANGFU_DATA_KEY 必须是32字节密钥的 base64 编码")
        }
        return SymmetricKey(data: data)
    }

    /// Outside production the key is made once per installation and kept beside the database (mode 0600).
    static func localKey(in dir: String) throws -> SymmetricKey {
        let path = "\(dir)/data.key"
        if let text = try? String(contentsOfFile: path, encoding: .utf8) { return try parseKey(text) }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() }
        // A key that was not kept would leave everything sealed with it unreadable after a restart.
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Missing(description: "无法写入数据密钥文件 \(path)（could not write the data key file）")
        }
        return key
    }
}
