import Foundation
import GRDB
import GRDBSQLite

/// Binds the parameters of a prepared SQLite statement in order, then runs it.
///
/// Text goes into a ``RowText`` buffer side by side and is bound from there without SQLite
/// copying it (`SQLITE_STATIC`): its own copy (`SQLITE_TRANSIENT`) cost a malloc and a free per
/// text column, about 21 of them per ledger row. Text that no longer fits is copied by SQLite.
struct RowBinder: LedgerRowValues {
    private let statement: SQLiteStatement
    private let text: RowText
    /// Bytes of `text` used by this row.
    private var used = 0
    /// The last parameter bound (SQLite numbers them from 1).
    private var index: Int32 = 0
    /// The first binding that failed, reported by ``run(expectingColumns:)``.
    private var failure: Int32 = SQLITE_OK

    /// Starts a row; `text` must stay allocated, and no other row may use it, until the
    /// statement's bindings are cleared or replaced (``RowText/release(from:)``).
    init(statement: SQLiteStatement, text: RowText) {
        self.statement = statement
        self.text = text
        sqlite3_reset(statement)
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else { return check(sqlite3_bind_null(statement, index)) }
        let code = value.withUTF8 { bytes -> Int32 in
            // An empty buffer may have no address, and SQLite binds NULL for a null pointer.
            guard !bytes.isEmpty, let source = bytes.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
            guard used + bytes.count <= text.buffer.count, let start = text.buffer.baseAddress else {
                return source.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text(statement, index, $0, Int32(bytes.count), Self.transient)
                }
            }
            let copy = (start + used).bindMemory(to: CChar.self, capacity: bytes.count)
            UnsafeMutableRawPointer(copy).copyMemory(from: source, byteCount: bytes.count)
            used += bytes.count
            return sqlite3_bind_text(statement, index, copy, Int32(bytes.count), nil)
        }
        check(code)
    }

    mutating func bind(_ value: Int?) {
        index += 1
        guard let value else { return check(sqlite3_bind_null(statement, index)) }
        check(sqlite3_bind_int64(statement, index, Int64(value)))
    }

    mutating func bind(_ value: Double?) {
        index += 1
        guard let value else { return check(sqlite3_bind_null(statement, index)) }
        check(sqlite3_bind_double(statement, index, value))
    }

    /// Booleans as GRDB stores them: the integers 0 and 1.
    mutating func bind(_ value: Bool) {
        bind(value ? 1 : 0)
    }

    /// Instants as seconds since 1970.
    mutating func bind(_ value: Date) {
        bind(value.timeIntervalSince1970)
    }

    /// Records as stored, tokens and all (the `ledger_json` view expands them).
    mutating func bindRecord(_ value: String?) {
        bind(value)
    }

    /// Runs the statement once every one of its `count` parameters is bound; leaves it reset.
    func run(expectingColumns count: Int) throws {
        defer { sqlite3_reset(statement) }
        guard Int(index) == count, Int(sqlite3_bind_parameter_count(statement)) == count else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "bound \(index) of \(count) columns")
        }
        guard failure == SQLITE_OK else { throw error(failure) }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    private mutating func check(_ code: Int32) {
        if code != SQLITE_OK, failure == SQLITE_OK { failure = code }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))))
    }

    /// Tells SQLite to copy bound text at once.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// The text of one row's parameters at a time, reused from row to row of a write (see
/// ``RowBinder``).
final class RowText {
    let buffer: UnsafeMutableRawBufferPointer

    init(capacity: Int = 64 * 1024) {
        buffer = .allocate(byteCount: capacity, alignment: 1)
    }

    /// Clears `statement`'s bindings, the only references into this buffer.
    func release(from statement: SQLiteStatement) {
        sqlite3_clear_bindings(statement)
    }

    deinit { buffer.deallocate() }
}
