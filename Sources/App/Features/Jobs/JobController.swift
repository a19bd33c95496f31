import Fluent
import Foundation
import Vapor

/// A job as its starter sees it, from any server: its state and, once done, the file it made while it is kept.
struct JobStatus: Content {
    let id: String
    let kind: String
    let state: String
    let message: String?
    let worker: String?
    /// Where the produced file is downloaded, while it is kept.
    let download: String?
    let filename: String?
    /// Until when (Asia/Shanghai time) the file is kept.
    let keptUntil: String?

    init(_ job: JobRecord) {
        id = job.id ?? ""
        kind = job.kind
        state = job.state.rawValue
        message = job.message
        worker = job.worker
        let kept = job.resultSHA != nil && job.state == .done
        download = kept ? SiteURL.jobFile.path(id: id) : nil
        filename = kept ? job.resultName : nil
        keptUntil = kept ? job.expiresAt.map(Self.shanghai) : nil
    }

    static func shanghai(_ ms: Int64) -> String {
        let format = DateFormatter()
        format.dateFormat = "yyyy-MM-dd HH:mm"
        format.timeZone = TimeZone(identifier: "Asia/Shanghai")
        return format.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }
}

enum JobController {
    static func find(_ req: Request) async throws -> JobRecord {
        let id = req.parameters.get("id") ?? ""
        guard let job = try await req.application.jobs.find(id, owner: req.currentUser?.id, on: req.db) else {
            throw APIError.notFound("任务")
        }
        return job
    }

    @Sendable static func apiShow(req: Request) async throws -> JobStatus { JobStatus(try await find(req)) }

    /// Queues long work for the request's caller: the API answers 202 with the job to poll, a page goes to the
    /// job's page. The same work already waiting or running for the caller is that job, not a second one: a
    /// repeated click does not hold up everyone else's jobs behind copies of one run.
    static func start(_ req: Request, kind: String, params: some Encodable) async throws -> Response {
        let json = try JobQueue.json(params)
        let same = try await JobRecord.query(on: req.db)
            .filter(\.$kind == kind)
            .filter(\.$ownerID == req.currentUser?.id)
            .filter(\.$params == json)
            .filter(\.$state ~~ [.queued, .running])
            .first()
        let job: JobRecord
        if let same {
            job = same
        } else {
            job = try await req.application.jobs.enqueue(kind, params: params, input: nil, origin: .request(req),
                                                         app: req.application)
        }
        guard req.url.path.hasPrefix("/api/") else { return req.redirect(to: SiteURL.job.path(id: job.id ?? "")) }
        return try await JobStatus(job).encodeResponse(status: .accepted, for: req)
    }

    struct Page: Encodable {
        let shell: Shell
        let job: JobStatus
        let title: String
        let backLabel: String
        let back: String
    }

    /// The page reloads itself every two seconds until the job ends (no script needed).
    @Sendable static func page(req: Request) async throws -> View {
        let job = try await find(req)
        let handler = req.application.jobs.handlers.withLockedValue { $0[job.kind] }
        let back = handler?.back(job) ?? (label: "返回首页", path: "/")
        let page = Page(shell: Shell(req), job: JobStatus(job), title: handler?.title ?? "任务",
                        backLabel: back.label, back: back.path)
        return try await req.view.render("jobs/show", page)
    }

    /// The produced file, to its starter, until it is no longer kept.
    @Sendable static func file(req: Request) async throws -> Response {
        let job = try await find(req)
        guard job.state == .done, let sha = job.resultSHA, let name = job.resultName,
              let data = try await req.application.files.get(sha)
        else {
            throw APIError(status: .gone, code: "file_gone", message: "文件已过保留期限或尚未生成，请重新导出")
        }
        let type = name.hasSuffix(".csv")
            ? "text/csv; charset=utf-8"
            : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return SheetFile(data: data, contentType: type, filename: name).response(attachment: true)
    }
}
