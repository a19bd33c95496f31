@testable import App
import BangfuKit
import Crypto
import Fluent
import Foundation
import SQLKit
import XCTVapor

/// Runs `body` against a freshly migrated database: a new SQLite file, or — when TEST_DATABASE_URL is set —
/// a PostgreSQL schema dropped and re-created for the test. The same tests run on both.
func withApp(_ body: (Application, Fixtures) async throws -> Void) async throws {
    try await withBareApp { app in try await body(app, try await Fixtures.load(on: app)) }
}

/// The same freshly migrated database, with nothing in it (for the demo's own data).
func withBareApp(_ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    let sqlitePath = NSTemporaryDirectory() + "bangfu-test-\(UUID().uuidString).sqlite"
    do {
        let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let config = AppConfig(database: url.map { .postgres(url: $0) } ?? .sqlite(path: sqlitePath),
                               dataKey: SymmetricKey(size: .bits256), varDirectory: NSTemporaryDirectory(),
                               autoMigrate: false, seedDemo: false)
        try await configure(app, config: config)
        if app.db.isPostgres {
            let sql = app.db as! any SQLDatabase
            try await sql.raw("DROP SCHEMA public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        }
        try await app.autoMigrate()
        try await body(app)
    } catch {
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: sqlitePath)
        throw error
    }
    try await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: sqlitePath)
}

/// A signed-in browser: the session cookie, and the CSRF token its forms carry.
struct Browser {
    let app: Application
    /// The cookies the app set (session, form token), sent back with every request as a browser would.
    var cookies: [String: String] = [:]

    init(app: Application) { self.app = app }

    static func signIn(_ app: Application, _ username: String, password: String = Fixtures.password) async throws -> Browser {
        var b = Browser(app: app)
        let res = try await b.post("/login", ["username": username, "password": password])
        XCTAssertEqual(res.status, .seeOther, "login of \(username)")
        XCTAssertEqual(res.headers.first(name: .location), "/")
        return b
    }

    mutating func get(_ path: String) async throws -> XCTHTTPResponse {
        try await send(.GET, path, body: nil)
    }

    /// Posts a form with the token read from a page, as a browser would.
    mutating func post(_ path: String, _ form: [String: String], withToken: Bool = true) async throws -> XCTHTTPResponse {
        var fields = form
        if withToken { fields["_csrf"] = try await token() }
        let body = fields.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
        return try await send(.POST, path, body: body)
    }

    mutating func token() async throws -> String {
        let page = try await get("/login").body.string
        let marker = "name=\"_csrf\" value=\""
        let start = try XCTUnwrap(page.range(of: marker)).upperBound
        return String(page[start...].prefix { $0 != "\"" })
    }

    mutating func send(_ method: HTTPMethod, _ path: String, body: String?,
                       type: HTTPMediaType = .urlEncodedForm) async throws -> XCTHTTPResponse {
        var headers = HTTPHeaders()
        if !cookies.isEmpty { headers.add(name: .cookie, value: cookieHeader) }
        if body != nil { headers.contentType = type }
        let res = try await app.sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for (name, set) in res.headers.setCookie?.all ?? [:] {
            cookies[name] = set.expires.map { $0 < Date() } == true ? nil : set.string
        }
        return res
    }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    private func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }
}

/// An API client with a bearer token.
struct APIClient {
    let app: Application
    let token: String

    func get(_ path: String) async throws -> XCTHTTPResponse {
        try await app.sendRequest(.GET, path, headers: ["Authorization": "Bearer \(token)"])
    }

    func send(_ method: HTTPMethod, _ path: String, data: Data, type: HTTPMediaType) async throws -> XCTHTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        headers.contentType = type
        return try await app.sendRequest(method, path, headers: headers, body: ByteBuffer(data: data))
    }

    /// A multipart upload with one `file` part, as a browser's form sends it.
    func upload(_ path: String, _ data: Data, name: String) async throws -> XCTHTTPResponse {
        let boundary = "bangfu-test-boundary"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += data + Data("\r\n--\(boundary)--\r\n".utf8)
        return try await send(.POST, path, data: body, type: HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary]))
    }

    func put<T: Encodable>(_ path: String, _ body: T) async throws -> XCTHTTPResponse {
        try await send(.PUT, path, data: try JSONEncoder().encode(body), type: .json)
    }

    func post<T: Encodable>(_ path: String, _ body: T) async throws -> XCTHTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        headers.contentType = .json
        return try await app.sendRequest(.POST, path, headers: headers, body: ByteBuffer(data: try JSONEncoder().encode(body)))
    }
}

extension APIClient {
    /// A job as the API shows it to its starter.
    struct Job: Decodable {
        let id: String; let kind: String; let state: String; let message: String?
        let download: String?; let keptUntil: String?
    }

    /// Polls a job until it ends (two minutes at most), as a client of the API does.
    func ended(_ id: String) async throws -> Job {
        var job = try await get("/api/v1/jobs/\(id)").content.decode(Job.self)
        let patience = ContinuousClock.now + .seconds(120)
        while ["queued", "running"].contains(job.state), ContinuousClock.now < patience {
            try await Task.sleep(for: .milliseconds(50))
            job = try await get("/api/v1/jobs/\(id)").content.decode(Job.self)
        }
        return job
    }
}

extension Browser {
    /// A job's page once the job has ended: the page reloads itself (a refresh tag) until then.
    mutating func ended(_ location: String) async throws -> XCTHTTPResponse {
        var page = try await get(location)
        let patience = ContinuousClock.now + .seconds(120)
        while page.body.string.contains("http-equiv=\"refresh\""), ContinuousClock.now < patience {
            try await Task.sleep(for: .milliseconds(50))
            page = try await get(location)
        }
        return page
    }
}

extension XCTHTTPResponse {
    func error() throws -> ErrorJSON { try JSONDecoder().decode(ErrorJSON.self, from: Data(buffer: body)) }
}

/// The API's error shape, kept here as its own copy so that an unintended change fails a test.
struct ErrorJSON: Decodable {
    struct Detail: Decodable { let code: String; let message: String; let field: String? }
    let error: Detail
}

/// XCTest's assertions take synchronous autoclosures; these await first.
func assertEqual<T: Equatable>(_ a: @autoclosure () async throws -> T, _ b: @autoclosure () throws -> T,
                               _ message: String = "", file: StaticString = #filePath, line: UInt = #line) async throws {
    let x = try await a()
    XCTAssertEqual(x, try b(), message, file: file, line: line)
}

func assertTrue(_ a: @autoclosure () async throws -> Bool, _ message: String = "",
                file: StaticString = #filePath, line: UInt = #line) async throws {
    let x = try await a()
    XCTAssertTrue(x, message, file: file, line: line)
}

/// An API client for a fixture user, with a token made for the test.
func apiClient(_ app: Application, _ username: String) async throws -> APIClient {
    let token = APIToken()
    token.$user.id = try await Fixtures.user(username, on: app.db).id!
    let secret = "t-\(username)-\(UUID().uuidString)"
    token.name = "t"; token.tokenHash = Authentication.tokenHash(secret)
    try await token.create(on: app.db)
    return APIClient(app: app, token: secret)
}

/// The 附件1 files written by Tests/sheets/make_sheets.py (openpyxl, GBK, broken variants).
func sheet(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
    let dir = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sheets/generated")
    let url = dir.appendingPathComponent(name)
    guard let data = FileManager.default.contents(atPath: url.path) else {
        XCTFail("missing \(url.path): scripts/test writes the test sheets with openpyxl first", file: file, line: line)
        throw CocoaError(.fileNoSuchFile)
    }
    return data
}

extension Application {
    /// Fixes "today" for the app, as the tests need a calendar they control.
    func setToday(_ day: LocalDate) { storage[TodayKey.self] = { day } }
}

/// An office's verification of a row without a proof file: the reason it states is required (seed 000).
struct VerifyBody: Encodable {
    var approve = true
    var reason: String? = "电话核实，证明后补"
}
