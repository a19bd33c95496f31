import Fluent

/// Issue 18: work that outlives a request and a server (jobs with leases) and files every server reads.
enum Migrations014 {
    static func register(on migrations: Migrations) {
        migrations.add(CreateJobsAndSharedFiles())
    }
}
