import Foundation
import Testing
import SwitchyardCore
import SwitchyardStorage

/// The PostgreSQL server the tests use: `SWITCHYARD_TEST_POSTGRES_URL`, which `scripts/test.sh`
/// sets after starting a throwaway cluster (`scripts/postgres-cluster.sh`). Without it the
/// PostgreSQL suites are skipped, and say so; with `SWITCHYARD_REQUIRE_POSTGRES=1` (set by
/// `scripts/test.sh`) a missing server fails the run instead.
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]
    static var isAvailable: Bool { url != nil }
    static var isRequired: Bool { ProcessInfo.processInfo.environment["SWITCHYARD_REQUIRE_POSTGRES"] == "1" }

    /// Runs `body` with a new, empty database on the test server, dropped afterwards.
    static func withDatabase<T>(_ body: (PostgresLocation) async throws -> T) async throws -> T {
        try await PostgresDatabases.withTemporaryDatabase(on: try PostgresLocation(url: try #require(url)), body)
    }
}

@Suite struct PostgresTestServerTests {
    /// `scripts/test.sh` asks for the server; a run that could not start it must not pass by
    /// skipping every PostgreSQL test.
    @Test(.enabled(if: PostgresTestServer.isRequired)) func theRequiredServerIsConfigured() {
        #expect(PostgresTestServer.isAvailable, "SWITCHYARD_REQUIRE_POSTGRES=1 but SWITCHYARD_TEST_POSTGRES_URL is not set")
    }
}
