import Foundation
import SQLKit
import Vapor

/// A backup is a folder: the database as of one instant, the uploaded files (SQLite only; on PostgreSQL they are
/// in the database) and `manifest.json`. The data key (`BANGFU_DATA_KEY`) is never in it: keep it apart, or the
/// sealed personal data in the backup cannot be read — and with it, anyone holding the backup could.
enum Backup {
    struct Manifest: Codable {
        let database: String
        let createdAt: String
        let migration: String
    }

    static let sqliteFile = "bangfu.sqlite"
    static let dumpFile = "bangfu.dump"

    /// SQLite: `VACUUM INTO`, one read transaction — a consistent copy while the server keeps writing.
    /// PostgreSQL: `pg_dump` in its custom format, one snapshot.
    static func take(_ app: Application, into folder: URL) async throws -> Manifest {
        // Only the server's own account reads a backup: it holds everything the database does.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let kind: String
        switch app.config.database {
        case .sqlite:
            let target = folder.appendingPathComponent(sqliteFile).path
            guard !FileManager.default.fileExists(atPath: target) else { throw refused("\(target) 已存在") }
            try await (app.db as! any SQLDatabase).raw("VACUUM INTO \(bind: target)").run()
            try copyFiles(from: app.config.varDirectory + "/files", to: folder.appendingPathComponent("files").path)
            kind = "sqlite"
        case .postgres(let url):
            let target = folder.appendingPathComponent(dumpFile).path
            try PostgresTools.run("pg_dump", ["--format=custom", "--no-owner", "--no-acl", "--file", target], url: url)
            kind = "postgres"
        }
        let manifest = Manifest(database: kind, createdAt: Date().ISO8601Format(), migration: newestMigration)
        let data = try JSONEncoder().encode(manifest)
        try data.write(to: folder.appendingPathComponent("manifest.json"))
        return manifest
    }

    /// Into an empty database only, with the servers stopped: a restore never merges into live data.
    static func restore(_ app: Application, from folder: URL) async throws -> Manifest {
        let manifest = try JSONDecoder().decode(Manifest.self,
                                                from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        switch app.config.database {
        case .sqlite(let path):
            guard manifest.database == "sqlite" else {
                throw refused("备份来自 \(manifest.database)，不能恢复到 SQLite")
            }
            guard !FileManager.default.fileExists(atPath: path) else {
                throw refused("\(path) 已存在：恢复只写入空库，请先停止服务并移走现有数据库")
            }
            let tmp = path + ".restoring"
            try? FileManager.default.removeItem(atPath: tmp)
            try FileManager.default.copyItem(atPath: folder.appendingPathComponent(sqliteFile).path, toPath: tmp)
            try copyFiles(from: folder.appendingPathComponent("files").path, to: app.config.varDirectory + "/files")
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        case .postgres(let url):
            guard manifest.database == "postgres" else {
                throw refused("备份来自 \(manifest.database)，不能恢复到 PostgreSQL")
            }
            guard try await isEmpty(app) else { throw refused("目标数据库不是空库：恢复只写入空库") }
            // pg_restore writes a script unless it is given --dbname; the connection itself comes from the URL.
            let dump = folder.appendingPathComponent(dumpFile).path
            let database = URLComponents(string: url).map { String($0.path.dropFirst()) } ?? ""
            try PostgresTools.run("pg_restore", ["--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
                                                 "--dbname", database, dump], url: url)
        }
        return manifest
    }

    private struct Count: Decodable { let n: Int }

    private static func isEmpty(_ app: Application) async throws -> Bool {
        let sql: SQLQueryString = """
            SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'
            """
        return try await (app.db as! any SQLDatabase).raw(sql).first(decoding: Count.self)?.n == 0
    }

    /// Content-addressed files are never changed, only added: copying the ones missing is enough.
    private static func copyFiles(from source: String, to target: String) throws {
        let fm = FileManager.default
        guard let names = fm.enumerator(atPath: source) else { return }
        for case let name as String in names where !name.hasSuffix(".tmp") {
            var isDirectory: ObjCBool = false
            let from = source + "/" + name, to = target + "/" + name
            guard fm.fileExists(atPath: from, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !fm.fileExists(atPath: to) else { continue }
            let folder = (to as NSString).deletingLastPathComponent
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try fm.copyItem(atPath: from, toPath: to)
        }
    }

    static func refused(_ why: String) -> AppConfig.Missing { AppConfig.Missing(description: why) }
}

/// PostgreSQL's own tools, from PATH or Debian's versioned folders (the newest: it must not be older than the server).
enum PostgresTools {
    static func path(_ tool: String) -> String? {
        let fm = FileManager.default
        let versioned = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (versioned + path).map { "\($0)/\(tool)" }.first { fm.isExecutableFile(atPath: $0) }
    }

    /// The connection goes to the tool as libpq's variables, not as arguments: `ps` shows every process's
    /// arguments to every local user, and the URL may hold the password.
    static func run(_ tool: String, _ arguments: [String], url: String) throws {
        guard let executable = path(tool) else { throw Backup.refused("找不到 \(tool)：请安装 postgresql-client") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = try environment(for: url)
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let said = String(decoding: message, as: UTF8.self)
            throw Backup.refused("\(tool) 失败（\(process.terminationStatus)）：\(said)")
        }
    }

    static func environment(for url: String) throws -> [String: String] {
        guard let parts = URLComponents(string: url), parts.scheme?.hasPrefix("postgres") == true else {
            throw Backup.refused("DATABASE_URL 不是 postgres:// 地址")
        }
        var variables = ProcessInfo.processInfo.environment
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
        variables["PGHOST"] = query["host"] ?? parts.host
        variables["PGPORT"] = parts.port.map(String.init)
        variables["PGUSER"] = parts.user
        variables["PGPASSWORD"] = parts.password
        variables["PGDATABASE"] = parts.path.isEmpty ? nil : String(parts.path.dropFirst())
        variables["PGSSLMODE"] = query["sslmode"] ?? query["tlsmode"].map { $0 == "disable" ? "disable" : "require" }
        return variables
    }
}

/// `bangfu backup --to DIR`: while servers run.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "to", help: "备份写入的目录（新建或空目录）") var to: String?
    }
    var help: String { "在线备份数据库（SQLite：VACUUM INTO 及上传文件；PostgreSQL：pg_dump）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let to = signature.to, !to.isEmpty else { throw Backup.refused("请用 --to 指定备份目录") }
        let started = Date()
        let manifest = try await Backup.take(context.application, into: URL(fileURLWithPath: to))
        let ms = Int(Date().timeIntervalSince(started) * 1_000)
        context.console.print("已备份（\(manifest.database)）到 \(to)，用时 \(ms) 毫秒。")
        context.console.print("数据密钥不在备份中，请另行保管。")
    }
}

/// `bangfu restore --from DIR`: into an empty database, servers stopped; then start them (migrations run on).
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "bangfu backup 写出的目录") var from: String?
    }
    var help: String { "从备份恢复到空数据库（先停止服务）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let from = signature.from, !from.isEmpty else { throw Backup.refused("请用 --from 指定备份目录") }
        let started = Date()
        let manifest = try await Backup.restore(context.application, from: URL(fileURLWithPath: from))
        let ms = Int(Date().timeIntervalSince(started) * 1_000)
        let what = "\(manifest.database)，备份于 \(manifest.createdAt)"
        context.console.print("已从 \(from) 恢复（\(what)），用时 \(ms) 毫秒")
    }
}
