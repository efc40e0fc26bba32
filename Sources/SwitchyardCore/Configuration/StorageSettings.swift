/// Where the gateway keeps its durable state (`storage`).
public enum StorageSettings: Sendable, Hashable {
    /// An embedded SQLite database file (WAL mode); created when missing. `:memory:` keeps it in
    /// memory for the life of the process.
    case sqlite(path: String)

    /// A PostgreSQL database, for several gateway instances that share tenants, keys, the ledger,
    /// the audit log, the review queue and budgets. The schema is created and migrated at start.
    /// Each instance keeps at most `maxConnections` to it, and re-reads tenants and keys every
    /// `refreshInterval`.
    case postgres(PostgresLocation, maxConnections: Int = StorageSettings.defaultPostgresConnections, refreshInterval: Duration = .seconds(5))

    /// Connections a gateway instance keeps to PostgreSQL at most, unless configured.
    public static let defaultPostgresConnections = 8

    /// The default: `switchyard.sqlite` in the working directory.
    public static let `default` = StorageSettings.sqlite(path: "switchyard.sqlite")
}

/// How ledger entries travel from the request path to the store (`ledger`).
public struct LedgerSettings: Sendable, Hashable {
    /// Entries held in memory waiting for the writer; beyond it new entries are dropped and
    /// counted (`switchyard_ledger_dropped_total`), and the request still succeeds.
    public var queueCapacity: Int
    /// Longest time an entry waits before it is written. A crash (kill -9) loses at most the
    /// entries accepted during the last interval.
    public var flushInterval: Duration
    /// Most entries written in one transaction.
    public var batchSize: Int
    /// Keep the last user message and the answer text in the ledger (off: no content is stored).
    public var logContent: Bool

    public init(queueCapacity: Int = 65_536, flushInterval: Duration = .milliseconds(100), batchSize: Int = 2_000, logContent: Bool = false) {
        self.queueCapacity = queueCapacity
        self.flushInterval = flushInterval
        self.batchSize = batchSize
        self.logContent = logContent
    }
}

/// Prometheus metrics (`telemetry`).
public struct TelemetrySettings: Sendable, Hashable {
    /// Serve `GET /metrics`.
    public var metricsEnabled: Bool
    /// Label request, token and cost metrics with the tenant. Turn off with many tenants.
    public var tenantLabel: Bool
    /// Distinct tenant label values before further tenants are counted as `other`.
    public var maxTenantLabels: Int

    public init(metricsEnabled: Bool = true, tenantLabel: Bool = true, maxTenantLabels: Int = 100) {
        self.metricsEnabled = metricsEnabled
        self.tenantLabel = tenantLabel
        self.maxTenantLabels = maxTenantLabels
    }
}

extension StorageSettings: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres(let location, _, _): "PostgreSQL \(location)"
        }
    }
}
