import BangfuKit
import Fluent
import Vapor

func registerCommands(_ app: Application) {
    app.asyncCommands.use(SeedDemoCommand(), as: "seed-demo")
    app.asyncCommands.use(ImportRegionsCommand(), as: "import-regions")
    app.asyncCommands.use(CreateUserCommand(), as: "create-user")
    app.asyncCommands.use(RematchNeedsCommand(), as: "rematch-needs")
    app.asyncCommands.use(ScanFlagsCommand(), as: "scan-flags")
    app.asyncCommands.use(JudgePricesCommand(), as: "judge-prices")
    app.asyncCommands.use(ListCatalogueCommand(), as: "list-catalogue")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
}

/// `bangfu seed-demo`: loads the demo county, organisations and logins (never in production).
struct SeedDemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "载入演示数据（云阳县）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard app.environment != .production else { throw AppConfig.Missing(description: "生产环境不能载入演示数据") }
        guard try await DemoData.isNeeded(on: app.db) else { context.console.print("演示数据已存在"); return }
        try await DemoData.load(on: app.db, cipher: app.fieldCipher, files: app.files, directory: app.directory,
                                today: app.today)
        DemoData.printLogins(app.logger)
    }
}

/// `bangfu import-regions FILE.csv` (or `--national` for the shipped county-level file).
struct ImportRegionsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "CSV: code,name[,parent][,flags]") var file: String
    }
    var help: String { "导入行政区划（CSV：code,name[,parent][,flags]）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let text = signature.file == "--national"
            ? try RegionStore.nationalFile(app.directory)
            : try String(contentsOfFile: signature.file, encoding: .utf8)
        do {
            let s = try await RegionStore.importCSV(text, on: app.db, by: .command("import-regions"))
            context.console.print("新增 \(s.created) 条，更新 \(s.updated) 条")
        } catch let e as ImportRejected {
            for r in e.errors { context.console.error("第\(r.row)行 [\(r.column)] \(r.message)") }
            throw AppConfig.Missing(description: "文件有 \(e.errors.count) 处错误，未导入任何数据")
        }
    }
}

/// `bangfu create-user --username … --role …`: the first administrator of a production install.
struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username") var username: String?
        @Option(name: "name") var name: String?
        @Option(name: "role", help: "admin/office/leadUnit/buyer/supplier/clerk") var role: String?
        @Option(name: "region") var region: String?
        @Option(name: "system") var system: Int?
        @Option(name: "unit") var unit: Int?
        @Option(name: "supplier") var supplier: Int?
    }
    var help: String { "创建用户（密码从标准输入读取）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        // A terminal hides what is typed; a pipe (`echo … | bangfu create-user`) is read as a plain line.
        let password = isatty(STDIN_FILENO) == 1 ? context.console.input(isSecure: true) : (readLine() ?? "")
        var input = UserInput(form: [:])
        input.username = signature.username; input.displayName = signature.name ?? signature.username
        input.password = password; input.role = signature.role; input.regionCode = signature.region
        input.systemId = signature.system; input.buyerUnitId = signature.unit; input.supplierId = signature.supplier
        let app = context.application
        do {
            let u = try await UserController.create(input, by: .command("create-user"), on: app.db, hasher: app.password.sync)
            context.console.print("已创建用户 \(u.username)")
        } catch let e as FieldError {
            throw AppConfig.Missing(description: "\(e.field): \(e.message)")
        }
    }
}
