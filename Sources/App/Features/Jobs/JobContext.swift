import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A running job as its handler sees it: its row, its upload, and where its progress goes.
final class JobContext: Sendable, ImportProgress {
    let id: String
    let job: JobRecord
    let app: Application
    private let report = NIOLockedValueBox<String?>(nil)

    init(job: JobRecord, app: Application) {
        id = job.id ?? ""
        self.job = job
        self.app = app
    }

    /// The latest progress, as JSON.
    var latest: String? { report.withLockedValue { $0 } }

    func update(_ progress: some Encodable) {
        let json = (try? JSONEncoder().encode(progress)).map { String(decoding: $0, as: UTF8.self) }
        report.withLockedValue { $0 = json }
    }

    func params<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(job.params.utf8))
    }

    /// The job's upload, fetched from the shared store into this server's data directory.
    func input() async throws -> ImportFile {
        guard let sha = job.inputSHA else { throw Abort(.internalServerError, reason: "job \(id) has no input") }
        let folder = ImportFile.directory(app.config.varDirectory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("job-\(id)-\(UUID().uuidString)")
        guard try await app.files.copy(sha, to: url) else {
            throw APIError(status: .gone, code: "input_gone",
                           message: "任务的上传文件已不在，请重新上传")
        }
        return ImportFile(url: url, sha256: sha)
    }
}

/// Checked as the last statement of each transaction of a job's run, just before it commits: the job is still this
/// run's (`confirm`), after any lock the transaction waited for. Runs outside a job pass nothing.
typealias LeaseCheck = @Sendable (any Database) async throws -> Void

/// Where an import reports how far it got, and what it checks before it commits.
protocol ImportProgress: Sendable {
    func update(_ progress: some Encodable)
    func confirm(on db: any Database) async throws
}

extension JobContext {
    /// Inside the job's transaction, just before it commits: the job is still this run's. A server that lost its
    /// lease while alive (a long stall) rolls back instead of committing beside the server that took the job over.
    func confirm(on db: any Database) async throws {
        let held = try await JobRecord.query(on: db)
            .filter(\.$id == id)
            .filter(\.$worker == job.worker)
            .filter(\.$attempts == job.attempts)
            .filter(\.$state == .running)
            .count()
        guard held == 1 else {
            throw APIError(status: .conflict, code: "lease_lost",
                           message: "任务已由另一台服务器接手，本次运行未写入任何数据")
        }
    }
}
