import Foundation
import GRDB
import SwitchyardCore

/// The embedded store: one SQLite file in WAL mode, through GRDB.
///
/// Readers (`switchyard report`, `GET /v1/decisions/{id}`) never block the gateway's writer, and
/// another process may read the same file while the gateway runs. Schema changes are versioned
/// migrations (``SQLiteSchema``), applied when the store opens.
public final class SQLiteStore: LedgerStore {
    let database: any DatabaseWriter
    /// The file path, or `:memory:`.
    public let path: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Parameter readOnly: Open an existing database for reading only (no migrations are run;
    ///   a database with a newer schema than this build knows is refused).
    public init(path: String, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.label = "switchyard"
        configuration.readonly = readOnly
        // Wait for a competing writer (another process on the same file) instead of failing.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
            // WAL with NORMAL: a commit is not synced to disk, a checkpoint is. A crash of the
            // process loses nothing committed; a power loss may lose the last commits, as it
            // loses the entries still queued in memory (at most about one flush interval).
            // Syncing every flush cost the writer's core milliseconds of kernel time that it
            // cannot give up to an event loop.
            if !readOnly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        }
        do {
            if path == ":memory:" {
                database = try DatabaseQueue(configuration: configuration)
            } else {
                if readOnly, !FileManager.default.fileExists(atPath: path) {
                    throw StoreError(.unavailable, "no database at '\(path)' (the gateway creates it on first start; see `storage.sqlite`)")
                }
                database = try DatabasePool(path: path, configuration: configuration)
            }
        } catch {
            if let error = error as? StoreError { throw error }
            throw StoreError(.unavailable, "cannot open the database '\(path)': \(Self.describe(error))")
        }
        try SQLiteSchema.prepare(database, path: path, readOnly: readOnly)
    }

    /// The page size of a new database file. A ledger row is about 1.4 KB (most of it the
    /// decision record and the gate reports), so a 4 KB page (SQLite's default) holds two and
    /// leaves the rest empty; a 16 KB page holds about eleven, so a flush writes, and a checkpoint
    /// copies, fewer pages. SQLite only applies it to a database without tables: an existing file
    /// keeps its own.
    static let pageSize = 16384

    public func append(_ entries: [LedgerEntry]) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        do {
            try await database.write { db in try Self.insert(entries, into: db, sharing: nil) }
        } catch {
            throw writeError(entries.count, error)
        }
    }

    /// Appends with GRDB's synchronous write, which runs on the calling thread: encoding the
    /// rows and SQLite's work happen at that thread's priority, offering the core to other work
    /// as `sharing` says.
    public func appendOnCallingThread(_ entries: [LedgerEntry], sharingTheCore sharing: CoreSharing?) async throws(StoreError) {
        guard !entries.isEmpty else { return }
        do {
            try Self.writeBlocking(entries, to: database, sharing: sharing)
        } catch is WriteStopped {
            throw StoreError(.interrupted, "the write of \(entries.count) ledger entries to '\(path)' stopped to give up the core")
        } catch {
            throw writeError(entries.count, error)
        }
    }

    /// Thrown inside the write's transaction when its ``CoreSharing`` says to stop, so GRDB rolls
    /// the transaction back.
    private struct WriteStopped: Error {}

    /// GRDB's synchronous write (outside an async context, so its async overload is not chosen).
    private static func writeBlocking(_ entries: [LedgerEntry], to database: any DatabaseWriter, sharing: CoreSharing?) throws {
        try database.write { db in try insert(entries, into: db, sharing: sharing) }
    }

    private static func insert(_ entries: [LedgerEntry], into db: Database, sharing: CoreSharing?) throws {
        let statement = try db.cachedStatement(sql: LedgerRowCoding.insertSQL)
        let text = RowText()
        defer { text.release(from: statement.sqliteStatement) }
        for (index, entry) in entries.enumerated() {
            try LedgerRowCoding.insert(entry, with: statement.sqliteStatement, text: text)
            if let sharing, index + 1 < entries.count, !sharing.goesOn(afterWriting: index + 1) { throw WriteStopped() }
        }
    }

    private func writeError(_ count: Int, _ error: any Error) -> StoreError {
        StoreError(.operationFailed, "cannot write \(count) ledger entries to '\(path)': \(Self.describe(error))")
    }

    public func ledgerEntries(since: Date?, until: Date?, full: Bool) async throws(StoreError) -> [LedgerEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let since {
            conditions.append("time >= ?")
            _ = arguments.append(contentsOf: [since.timeIntervalSince1970])
        }
        if let until {
            conditions.append("time < ?")
            _ = arguments.append(contentsOf: [until.timeIntervalSince1970])
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(LedgerRowCoding.columns(full: full)) FROM ledger\(filter) ORDER BY time, id"
        let finalArguments = arguments
        do {
            return try await database.read { db in
                try Row.fetchAll(db, sql: sql, arguments: finalArguments).map { try LedgerRowCoding.entry(from: $0, full: full) }
            }
        } catch {
            throw StoreError(.operationFailed, "cannot read the ledger of '\(path)': \(Self.describe(error))")
        }
    }

    public func ledgerEntry(decisionID: String) async throws(StoreError) -> LedgerEntry? {
        let sql = "SELECT \(LedgerRowCoding.columns(full: true)) FROM ledger WHERE decision_id = ? ORDER BY id DESC LIMIT 1"
        do {
            return try await database.read { db in
                try Row.fetchOne(db, sql: sql, arguments: [decisionID]).map { try LedgerRowCoding.entry(from: $0, full: true) }
            }
        } catch {
            throw StoreError(.operationFailed, "cannot read the ledger of '\(path)': \(Self.describe(error))")
        }
    }

    /// The newest verdicts after a row (arguments: the row, the limit). The literal endpoint lets
    /// SQLite use the partial index of shadow entries.
    static let shadowVerdictsSQL = """
        SELECT id, decision_id, task, requested_model, json_extract(reasons, '$[#-1]') FROM ledger
        WHERE endpoint = 'shadow' AND id > ? AND status = 200 AND task IS NOT NULL AND requested_model IS NOT NULL
        ORDER BY id DESC LIMIT ?
        """

    public func shadowVerdicts(after row: Int64, limit: Int) async throws(StoreError) -> [ShadowVerdictRecord] {
        do {
            return try await database.read { db in
                try Row.fetchAll(db, sql: Self.shadowVerdictsSQL, arguments: [row, limit]).reversed().map { row in
                    ShadowVerdictRecord(row: row[0], decisionID: row[1], task: row[2], model: row[3], verdict: row[4])
                }
            }
        } catch {
            throw StoreError(.operationFailed, "cannot read the ledger of '\(path)': \(Self.describe(error))")
        }
    }

    public func ledgerCount() async throws(StoreError) -> Int {
        do {
            return try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger") ?? 0 }
        } catch {
            throw StoreError(.operationFailed, "cannot count the ledger of '\(path)': \(Self.describe(error))")
        }
    }

    /// Runs SQLite's integrity check; returns its findings (`["ok"]` when the file is sound).
    public func integrityCheck() throws(StoreError) -> [String] {
        do {
            return try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        } catch {
            throw StoreError(.operationFailed, "cannot check '\(path)': \(Self.describe(error))")
        }
    }

    /// The SQLite journal mode in effect (`wal` for file databases).
    public func journalMode() throws(StoreError) -> String {
        do {
            return try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
        } catch {
            throw StoreError(.operationFailed, "cannot read the journal mode of '\(path)': \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return "\(error)"
    }
}
