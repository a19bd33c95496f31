@testable import App
import XCTest

/// `bangfu backup`/`restore` hand PostgreSQL's tools the connection in libpq's variables, never as arguments that
/// `ps` shows to every local user.
final class BackupToolsTests: XCTestCase {
    func testTheURLBecomesLibpqVariablesWithThePasswordDecoded() throws {
        let url = "postgres://bangfu:s%40cret@db.example:6432/bangfu_prod?sslmode=require"
        let variables = try PostgresTools.environment(for: url)
        XCTAssertEqual(variables["PGHOST"], "db.example")
        XCTAssertEqual(variables["PGPORT"], "6432")
        XCTAssertEqual(variables["PGUSER"], "bangfu")
        XCTAssertEqual(variables["PGPASSWORD"], "s@cret")
        XCTAssertEqual(variables["PGDATABASE"], "bangfu_prod")
        XCTAssertEqual(variables["PGSSLMODE"], "require")
    }

    func testASocketFolderAndVaporsTLSModeAreKept() throws {
        let url = "postgres://bangfu@/bangfu?host=/run/postgresql&tlsmode=disable"
        let variables = try PostgresTools.environment(for: url)
        XCTAssertEqual(variables["PGHOST"], "/run/postgresql")
        XCTAssertNil(variables["PGPASSWORD"])
        XCTAssertEqual(variables["PGSSLMODE"], "disable")
    }

    func testAnythingButAPostgresURLIsRefused() {
        XCTAssertThrowsError(try PostgresTools.environment(for: "sqlite:///var/bangfu.sqlite"))
    }
}
