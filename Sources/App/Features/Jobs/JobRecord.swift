import Fluent
import Foundation
import Vapor

/// Long work as a row any app server may claim: an import, an export. While one server runs it, its lease is
/// renewed; a lease that runs out (the server died) lets another server take the job over, or fails it.
final class JobRecord: Model, @unchecked Sendable {
    static let schema = "jobs"

    enum State: String, Codable, Sendable {
        case queued, running, done, rejected, failed
        var isFinished: Bool { self == .done || self == .rejected || self == .failed }
    }

    @ID(custom: .id, generatedBy: .user) var id: String?
    @Field(key: "kind") var kind: String
    /// Who started it: the only user shown it.
    @OptionalField(key: "owner_id") var ownerID: Int?
    @Field(key: "origin_name") var originName: String
    @Field(key: "origin_ip") var originIP: String
    /// What the kind needs to run again on any server (JSON).
    @Field(key: "params") var params: String
    /// The uploaded file, in the shared file store.
    @OptionalField(key: "input_sha") var inputSHA: String?
    @Field(key: "state") var state: State
    /// The import's report so far, or at the end (JSON).
    @OptionalField(key: "report") var report: String?
    @OptionalField(key: "message") var message: String?
    /// The server holding the lease (`host:pid`).
    @OptionalField(key: "worker") var worker: String?
    @OptionalField(key: "lease_until") var leaseUntil: Int64?
    @Field(key: "attempts") var attempts: Int
    @Field(key: "created_at") var createdAt: Int64
    @OptionalField(key: "finished_at") var finishedAt: Int64?
    /// A file the job produced (an export), kept for download until `expires_at`.
    @OptionalField(key: "result_sha") var resultSHA: String?
    @OptionalField(key: "result_name") var resultName: String?
    @OptionalField(key: "expires_at") var expiresAt: Int64?

    init() {}

    var origin: Audit.Origin { Audit.Origin(userID: ownerID, name: originName, ip: originIP) }
}

/// Milliseconds since 1970: the job table's clock, compared in SQL alike on both databases.
enum JobClock {
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000).rounded()) }
}
