import Testing

@testable import SwitchyardConfig
@testable import SwitchyardCore

@Suite("storage: SQLite or PostgreSQL")
struct StorageConfigTests {
    let loader = ConfigLoader(environment: ["TEST_OPENAI_KEY": "sk-test", "PG_PASSWORD": "s3cr:t/@x"])

    func storage(_ section: String) throws -> StorageSettings {
        try loader.parse(yaml: validYAML + "\n" + section, file: "storage.yaml").storage
    }

    func problems(_ section: String) -> [ConfigIssue] {
        do {
            _ = try loader.parse(yaml: validYAML + "\n" + section, file: "storage.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func sqliteIsTheDefault() throws {
        #expect(try loader.parse(yaml: validYAML, file: "ok.yaml").storage == .sqlite(path: "switchyard.sqlite"))
        #expect(try storage("storage: { sqlite: /var/lib/switchyard/ledger.sqlite }") == .sqlite(path: "/var/lib/switchyard/ledger.sqlite"))
    }

    @Test func aPostgresURLWithItsPasswordFromTheEnvironment() throws {
        let settings = try storage(
            """
            storage:
              postgres: postgres://switchyard@db.internal:6432/ledger?sslmode=require
              password: ${PG_PASSWORD}
              max_connections: 16
              refresh_interval: 2s
            """)
        guard case .postgres(let location, let connections, let refresh) = settings else {
            Issue.record("not postgres: \(settings)")
            return
        }
        #expect(connections == 16)
        #expect(refresh == .seconds(2))
        #expect(location == PostgresLocation(
            host: "db.internal", port: 6432, username: "switchyard", password: "s3cr:t/@x", database: "ledger", tls: .require))
        #expect(settings.description == "PostgreSQL postgres://switchyard:***@db.internal:6432/ledger?sslmode=require")
    }

    /// A password in the URL itself is percent-encoded, as in any URL.
    @Test func aPercentEncodedPasswordInTheURL() throws {
        let settings = try storage("storage: { postgres: \"postgres://switchyard:s3cr%3At%2F%40x@db/ledger\" }")
        guard case .postgres(let location, _, _) = settings else {
            Issue.record("not postgres: \(settings)")
            return
        }
        #expect(location.password == "s3cr:t/@x")
    }

    @Test func defaultsForPortTLSAndConnections() throws {
        let settings = try storage("storage: { postgres: \"postgresql://gateway@10.0.0.5/switchyard\" }")
        #expect(settings == .postgres(
            PostgresLocation(host: "10.0.0.5", username: "gateway", database: "switchyard", tls: .prefer),
            maxConnections: StorageSettings.defaultPostgresConnections, refreshInterval: .seconds(5)))
    }

    /// (section, key path, words in the message)
    static let mistakes: [(String, String, String)] = [
        ("storage: { postgres: \"mysql://u@h/db\" }", "storage.postgres", "must start with postgres://"),
        ("storage: { postgres: \"postgres://h/db\" }", "storage.postgres", "names no user"),
        ("storage: { postgres: \"postgres://u@h\" }", "storage.postgres", "names no database"),
        ("storage: { postgres: \"postgres://u@h/db?sslmode=maybe\" }", "storage.postgres", "sslmode must be one of disable, prefer, require"),
        ("storage: { postgres: \"postgres://u@h/db?pool=3\" }", "storage.postgres", "unknown parameter 'pool'"),
        ("storage: { postgres: \"postgres://u@h/db\", sqlite: x.sqlite }", "storage.postgres", "either sqlite or postgres"),
        ("storage: { postgres: \"postgres://u@h/db\", max_connections: 0 }", "storage.max_connections", "between 1 and 1000"),
        ("storage: { sqlite: x.sqlite, max_connections: 4 }", "storage.max_connections", "postgres only"),
        ("storage: { sqlite: x.sqlite, password: x }", "storage.password", "postgres only"),
        ("storage: { sqlite: x.sqlite, refresh_interval: 1s }", "storage.refresh_interval", "postgres only"),
        ("storage: { postgress: \"postgres://u@h/db\" }", "storage.postgress", "did you mean 'postgres'"),
        ("storage: { postgress: \"postgres://u@h/db\" }", "storage", "missing required key 'sqlite' (or postgres)"),
    ]

    @Test(arguments: mistakes)
    func mistakesNameTheKey(_ mistake: (String, String, String)) throws {
        let issues = problems(mistake.0)
        let issue = try #require(issues.first { $0.path == mistake.1 && $0.message.contains(mistake.2) }, "\(mistake.0): \(issues)")
        #expect(issue.line != nil)
    }

    @Test func aWrongPasswordNeverAppearsInAnError() {
        let issues = problems("storage: { postgres: \"postgres://u:hunter2@h/db?sslmode=nope\" }")
        #expect(!issues.isEmpty)
        #expect(!issues.contains { $0.description.contains("hunter2") })
    }
}
