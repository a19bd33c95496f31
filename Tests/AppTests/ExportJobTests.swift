@testable import App
import BangfuKit
import Fluent
import Foundation
import Vapor
import XCTest

/// A large export as a job (issue 18): queued, produced by whichever server claims it, downloaded by its starter
/// alone while it is kept, then gone.
final class ExportJobTests: XCTestCase {
    func testAnExportJobMakesTheSameFileKeptForItsStarterUntilItExpires() async throws {
        try await withApp { app, _ in
            let office = try await apiClient(app, "office")
            let query = "/api/v1/purchases/sheets?form=3&format=csv"
            let direct = try await office.get(query)
            XCTAssertEqual(direct.status, .ok)
            let started = try await office.get(query + "&async=1")
            XCTAssertEqual(started.status, .accepted)
            let job = try await office.ended(try started.content.decode(APIClient.Job.self).id)
            XCTAssertEqual(job.state, "done")
            XCTAssertNotNil(job.keptUntil)
            let download = try XCTUnwrap(job.download)
            let file = try await office.get(download.replacingOccurrences(of: "/jobs/", with: "/api/v1/jobs/"))
            XCTAssertEqual(file.status, .ok)
            XCTAssertEqual(file.body.string, direct.body.string, "the job's file is the export itself")
            XCTAssertTrue(file.headers.first(name: .contentDisposition)?.contains(".csv") ?? false)

            let other = try await apiClient(app, "lead")
            let asked = try await other.get("/api/v1/jobs/\(job.id)")
            XCTAssertEqual(asked.status, .notFound, "a job is its starter's")

            try await JobRecord.query(on: app.db).filter(\.$id == job.id)
                .set(\.$expiresAt, to: JobClock.now() - 1).update()
            try await app.jobs.sweep(on: app)
            let gone = try await office.get("/api/v1/jobs/\(job.id)/file")
            XCTAssertEqual(gone.status, .gone)
            let after = try await office.get("/api/v1/jobs/\(job.id)").content.decode(APIClient.Job.self)
            XCTAssertNil(after.download)
        }
    }

    func testTheExportPageQueuesAJobAndItsPageOffersTheFile() async throws {
        try await withApp { app, _ in
            var office = try await Browser.signIn(app, "office")
            let queued = try await office.get("/purchases/export?form=2&township=&format=xlsx&async=1")
            XCTAssertEqual(queued.status, .seeOther)
            let location = try XCTUnwrap(queued.headers.first(name: .location))
            XCTAssertTrue(location.hasPrefix("/jobs/"))
            let page = try await office.ended(location)
            XCTAssertTrue(page.body.string.contains("id=\"job-download\""), page.body.string)
            let file = try await office.get(location + "/file")
            XCTAssertEqual(file.status, .ok)
            XCTAssertEqual(Array(file.body.readableBytesView.prefix(2)), [0x50, 0x4B], "an .xlsx (a zip)")
        }
    }
}
