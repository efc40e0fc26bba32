import Foundation

/// Durable storage for ledger entries. The embedded implementation is SQLite
/// (`SwitchyardStorage.SQLiteStore`); a PostgreSQL one can follow without touching callers.
///
/// Implementations must be safe to call from many tasks at once. Readers never block the writer.
public protocol LedgerStore: Sendable {
    /// Appends `entries` atomically: all of them are stored, or none.
    func append(_ entries: [LedgerEntry]) async throws(StoreError)

    /// Appends `entries` like ``append(_:)``, doing the work on the calling thread instead of
    /// handing it to another one. The ledger writer calls it from a writer thread of its own, so
    /// the work runs at that thread's priority (see `LedgerRecorder`); the call blocks that
    /// thread. With `sharing`, it offers the core to other threads every few rows, and when an
    /// offer says to stop it rolls back and throws a ``StoreError/Kind/interrupted`` error:
    /// nothing is stored. Stores whose work is not CPU on this process simply append.
    func appendOnCallingThread(_ entries: [LedgerEntry], sharingTheCore sharing: CoreSharing?) async throws(StoreError)

    /// Entries received in `[since, until)`, oldest first. Either bound may be `nil` (open).
    /// Bulky fields (`decision`, `prompt`, `answer`, `gates`) are left out unless `full` is set.
    func ledgerEntries(since: Date?, until: Date?, full: Bool) async throws(StoreError) -> [LedgerEntry]

    /// The entry for one decision id, with every field.
    func ledgerEntry(decisionID: String) async throws(StoreError) -> LedgerEntry?

    /// How many entries the ledger holds.
    func ledgerCount() async throws(StoreError) -> Int

    /// The newest `limit` succeeded shadow entries (endpoint `shadow`, status 200, with a task
    /// and a requested model) in rows after `row`, oldest first, as their verdicts. Shadow
    /// evaluation counts them when the gateway starts and, on a shared database, reads what is
    /// new every refresh interval (see ``ShadowVerdictLog``).
    func shadowVerdicts(after row: Int64, limit: Int) async throws(StoreError) -> [ShadowVerdictRecord]

    /// Cost and tokens per tenant and key of entries received since `since` (budgets are
    /// rebuilt from this when the gateway starts).
    func spend(since: Date) async throws(StoreError) -> [SpendTotal]

    /// Tokens per conversation (tenant and `session`) of entries received since `since` (the
    /// session alert's counts are rebuilt from this when the gateway starts).
    func sessionTokens(since: Date) async throws(StoreError) -> [SessionKey: Int]
}

extension LedgerStore {
    public func appendOnCallingThread(_ entries: [LedgerEntry], sharingTheCore sharing: CoreSharing?) async throws(StoreError) {
        try await append(entries)
    }
}

/// How a long write on the caller's thread shares the core with other threads: after every
/// ``rows`` rows the store calls ``offer``, which may give the core away (`sched_yield`) and says
/// whether the write should go on.
public struct CoreSharing: Sendable {
    /// Rows written between two offers.
    public var rows: Int
    /// Offers the core; returns `false` when the write should stop (and roll back) instead, for
    /// the caller to write the entries elsewhere.
    public var offer: @Sendable () -> Bool

    public init(every rows: Int, offer: @escaping @Sendable () -> Bool) {
        self.rows = rows
        self.offer = offer
    }

    /// Whether a write that has written `written` rows goes on: calls ``offer`` if they complete
    /// a run of ``rows``.
    @inlinable
    public func goesOn(afterWriting written: Int) -> Bool {
        written % rows != 0 || offer()
    }
}

/// A storage failure, with a message for a person.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The database could not be opened or created.
        case unavailable
        /// The database exists but its schema is newer or damaged.
        case incompatible
        /// A query or write failed.
        case operationFailed
        /// A write on the caller's thread stopped because its ``CoreSharing`` said so, and was
        /// rolled back: nothing was stored.
        case interrupted
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
