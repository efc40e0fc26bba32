import Foundation
import Logging
import NIOPosix
import NIOSSL
import PostgresNIO
import SwitchyardCore

/// The shared store: a PostgreSQL database that several gateway instances use at once, through
/// PostgresNIO's connection pool. It holds what SQLite holds for one instance: the ledger,
/// tenants, keys, the audit log and the review queue.
///
/// ``open(_:maxConnections:readOnly:logger:)`` connects once to check the server and bring the
/// schema up to date (``PostgresSchema``), then starts the pool; ``close()`` stops it. Every
/// operation is bounded by ``operationTimeout``, so an unreachable server fails a call (the ledger
/// writer keeps its entries and retries) instead of hanging it.
public final class PostgresStore: DurableStore {
    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    private let pool: Task<Void, Never>

    /// Longest a call waits for a connection and its answer.
    static let operationTimeout: Duration = .seconds(15)

    private init(client: PostgresClient, location: PostgresLocation, logger: Logger) {
        self.client = client
        self.location = location
        self.logger = logger
        // Detached: the pool must not inherit a service group's graceful shutdown, which would
        // close it before the ledger writer's last flush; ``close()`` ends it.
        pool = Task.detached { await client.run() }
    }

    /// Connects to the database at `location`, migrates it (or, `readOnly`, checks it needs no
    /// migration) and starts a pool of at most `maxConnections` connections.
    public static func open(
        _ location: PostgresLocation, maxConnections: Int = StorageSettings.defaultPostgresConnections, readOnly: Bool = false,
        logger: Logger = Logger(label: "switchyard.storage", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(StoreError) -> PostgresStore {
        do {
            try await withConnection(to: location, logger: logger) { connection in
                do throws(StoreError) {
                    try await PostgresSchema.prepare(on: connection, readOnly: readOnly, logger: logger)
                } catch {
                    throw StoreError(error.kind, "\(location): \(error.message)")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "cannot connect to \(location): \(PostgresErrorText.describe(error))")
        }
        var clientConfiguration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: clientTLS(location))
        clientConfiguration.options.maximumConnections = maxConnections
        clientConfiguration.options.minimumConnections = 0
        clientConfiguration.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: clientConfiguration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, backgroundLogger: logger)
        return PostgresStore(client: client, location: location, logger: logger)
    }

    /// Runs `body` on a connection of its own to `location` (made within ``operationTimeout``),
    /// closed afterwards whether `body` succeeds or throws: for work before the pool starts, or
    /// outside it.
    static func withConnection<T>(
        to location: PostgresLocation, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let configuration = try connectionConfiguration(location)
        let connection = try await withDeadline(operationTimeout) {
            try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 0, logger: logger)
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Stops the connection pool; calls made afterwards fail.
    public func close() async {
        pool.cancel()
        await pool.value
    }

    public var name: String { location.description }

    /// The one-off connection's configuration, with TLS as `location.tls` says.
    static func connectionConfiguration(_ location: PostgresLocation) throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch location.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw StoreError(.unavailable, "cannot set up TLS for \(location): \(error)")
        }
        return PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls)
    }

    /// The pool's TLS, as `location.tls` says.
    private static func clientTLS(_ location: PostgresLocation) -> PostgresClient.Configuration.TLS {
        switch location.tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    // MARK: The ledger

    public func append(_ entries: [LedgerEntry]) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        try await run("write \(entries.count) ledger entries") { client, logger in
            if entries.count <= PostgresLedgerCoding.rowsPerStatement {
                try await client.query(PostgresLedgerCoding.insert(entries[...]), logger: logger)
                return
            }
            try await client.withTransaction(logger: logger) { connection in
                var start = entries.startIndex
                while start < entries.endIndex {
                    let end = min(start + PostgresLedgerCoding.rowsPerStatement, entries.endIndex)
                    try await connection.query(PostgresLedgerCoding.insert(entries[start..<end]), logger: logger)
                    start = end
                }
            }
        }
    }

    public func ledgerEntries(since: Date?, until: Date?, full: Bool) async throws(StoreError) -> [LedgerEntry] {
        var conditions: [String] = []
        var bindings = PostgresBindings()
        if let since {
            bindings.append(since)
            conditions.append("time >= $\(bindings.count)")
        }
        if let until {
            bindings.append(until)
            conditions.append("time < $\(bindings.count)")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(PostgresLedgerCoding.selectList(full: full)) FROM ledger\(filter) ORDER BY time, id", binds: bindings)
        return try await run("read the ledger") { client, logger in
            var entries: [LedgerEntry] = []
            for try await row in try await client.query(query, logger: logger) {
                entries.append(try PostgresLedgerCoding.entry(from: row, full: full))
            }
            return entries
        }
    }

    public func ledgerEntry(decisionID: String) async throws(StoreError) -> LedgerEntry? {
        var bindings = PostgresBindings()
        bindings.append(decisionID)
        let query = PostgresQuery(
            unsafeSQL: "SELECT \(PostgresLedgerCoding.selectList(full: true)) FROM ledger WHERE decision_id = $1 ORDER BY id DESC LIMIT 1",
            binds: bindings)
        return try await run("read the ledger") { client, logger in
            for try await row in try await client.query(query, logger: logger) {
                return try PostgresLedgerCoding.entry(from: row, full: true)
            }
            return nil
        }
    }

    public func shadowVerdicts(after row: Int64, limit: Int) async throws(StoreError) -> [ShadowVerdictRecord] {
        // The literal endpoint lets PostgreSQL use the partial index of shadow entries.
        let query: PostgresQuery = """
            SELECT id, decision_id, task, requested_model, reasons->>-1 FROM ledger
            WHERE endpoint = 'shadow' AND id > \(row) AND status = 200 AND task IS NOT NULL AND requested_model IS NOT NULL
            ORDER BY id DESC LIMIT \(limit)
            """
        return try await run("read the ledger") { client, logger in
            var records: [ShadowVerdictRecord] = []
            let rows = try await client.query(query, logger: logger)
            for try await (row, decisionID, task, model, verdict) in rows.decode((Int64, String, String, String, String?).self) {
                records.append(ShadowVerdictRecord(row: row, decisionID: decisionID, task: task, model: model, verdict: verdict))
            }
            return records.reversed()
        }
    }

    public func ledgerCount() async throws(StoreError) -> Int {
        try await run("count the ledger") { client, logger in
            for try await count in try await client.query("SELECT COUNT(*) FROM ledger", logger: logger).decode(Int.self) { return count }
            return 0
        }
    }

    public func spend(since: Date) async throws(StoreError) -> [SpendTotal] {
        try await run("sum the ledger") { client, logger in
            let rows = try await client.query(
                """
                SELECT tenant, key_id, COALESCE(SUM(cost_usd), 0)::float8, COALESCE(SUM(input_tokens + output_tokens), 0)::int8
                FROM ledger WHERE time >= \(since) AND (tenant IS NOT NULL OR key_id IS NOT NULL) GROUP BY tenant, key_id
                """, logger: logger)
            var totals: [SpendTotal] = []
            for try await (tenant, key, usd, tokens) in rows.decode((String?, String?, Double, Int).self) {
                totals.append(SpendTotal(tenant: tenant, keyID: key, usd: usd, tokens: tokens))
            }
            return totals
        }
    }

    public func sessionTokens(since: Date) async throws(StoreError) -> [SessionKey: Int] {
        try await run("sum the ledger's sessions") { client, logger in
            let rows = try await client.query(
                """
                SELECT tenant, session, COALESCE(SUM(input_tokens + output_tokens), 0)::int8
                FROM ledger WHERE time >= \(since) AND session IS NOT NULL GROUP BY tenant, session
                """, logger: logger)
            var totals: [SessionKey: Int] = [:]
            for try await (tenant, session, tokens) in rows.decode((String?, String, Int).self) {
                totals[SessionKey(tenant: tenant, session: session)] = tokens
            }
            return totals
        }
    }

    // MARK: Running calls

    /// Runs `body` with the pool, within ``operationTimeout``; failures become a ``StoreError``
    /// that says what was being done, where, and what the server said.
    ///
    /// The call runs in a task of its own, which the caller's cancellation does not reach: the
    /// ledger writer's last flush happens while a cancelled gateway stops, and must still land.
    func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws(StoreError) -> T {
        let client = client
        let logger = logger
        do {
            return try await Task { try await Self.withDeadline(Self.operationTimeout) { try await body(client, logger) } }.value
        } catch {
            throw StoreError(.operationFailed, "cannot \(what) in \(location): \(PostgresErrorText.describe(error))")
        }
    }

    /// `body`'s result, or a timeout error once `limit` has passed (`body` is then cancelled).
    static func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw StoreError(.operationFailed, "no answer within \(limit.components.seconds) s")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }
}
