import Fluent
import SQLKit

/// Issue 18: the job table any app server claims from, and the shared file store (used on PostgreSQL).
/// Times are milliseconds since 1970, compared in SQL the same way on both databases.
struct CreateJobsAndSharedFiles: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(JobRecord.schema)
            .field(.id, .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("owner_id", .int)
            .field("origin_name", .string, .required)
            .field("origin_ip", .string, .required)
            .field("params", .string, .required)
            .field("input_sha", .string)
            .field("state", .string, .required)
            .field("report", .string)
            .field("message", .string)
            .field("worker", .string)
            .field("lease_until", .int64)
            .field("attempts", .int, .required)
            .field("created_at", .int64, .required)
            .field("finished_at", .int64)
            .field("result_sha", .string)
            .field("result_name", .string)
            .field("expires_at", .int64)
            .create()
        // The claim reads the oldest waiting job; the sweep, jobs past their keeping time.
        try await db.index("jobs_waiting", on: JobRecord.schema, "state", "created_at")
        try await db.index("jobs_by_owner", on: JobRecord.schema, "owner_id", "created_at")
        try await db.schema(DatabaseFileStore.files)
            .field("sha256", .string, .identifier(auto: false))
            .field("size", .int64, .required)
            .field("chunks", .int, .required)
            .create()
        try await db.schema(DatabaseFileStore.chunks)
            .field("sha256", .string, .required)
            .field("seq", .int, .required)
            .field("bytes", .data, .required)
            .compositeIdentifier(over: "sha256", "seq")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(DatabaseFileStore.chunks).delete()
        try await db.schema(DatabaseFileStore.files).delete()
        try await db.schema(JobRecord.schema).delete()
    }
}
