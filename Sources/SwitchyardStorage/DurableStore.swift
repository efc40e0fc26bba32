import Logging
import ServiceLifecycle
import SwitchyardCore

/// A store the gateway runs on: the ledger, tenants and keys, the audit log and the review queue
/// in one database. ``SQLiteStore`` is the embedded one; ``PostgresStore`` is shared by several
/// gateway instances.
public protocol DurableStore: LedgerStore, TenantStore, ReviewStore {
    /// Where the data lives, for logs and messages (never a password).
    var name: String { get }
    /// Releases connections; calls made afterwards fail.
    func close() async
}

extension SQLiteStore: DurableStore {
    public var name: String { "SQLite \(path)" }
    public func close() async {}
}

/// Opens the store that `storage` names.
public enum StoreOpener {
    /// Opens (creating and migrating as needed) the store of `settings`; `readOnly` opens an
    /// existing one without migrating it, for the reading commands.
    public static func open(_ settings: StorageSettings, readOnly: Bool = false, logger: Logger) async throws(StoreError) -> any DurableStore {
        switch settings {
        case .sqlite(let path):
            return try SQLiteStore(path: path, readOnly: readOnly)
        case .postgres(let location, let connections, _):
            return try await PostgresStore.open(location, maxConnections: connections, readOnly: readOnly, logger: logger)
        }
    }
}

/// Keeps a store open for the life of a service group, and closes it once the group stops and
/// what still writes to it on the way out (the ledger writer's last flush) has finished.
public struct StoreLifetime: Service {
    let store: any DurableStore
    let lastUsers: @Sendable () async -> Void

    /// - Parameter lastUsers: Returns once nothing will write to the store any more (e.g.
    ///   ``LedgerRecorder/waitUntilStopped()``).
    public init(_ store: any DurableStore, closeAfter lastUsers: @escaping @Sendable () async -> Void) {
        self.store = store
        self.lastUsers = lastUsers
    }

    public func run() async throws {
        // Returns when the group shuts down gracefully, or throws when it is cancelled; either
        // way the other services are stopping.
        try? await gracefulShutdown()
        await lastUsers()
        await store.close()
    }
}
