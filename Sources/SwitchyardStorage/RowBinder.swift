import GRDB
import GRDBSQLite

/// Binds the parameters of a prepared SQLite statement in order, then runs it. Text is copied by
/// SQLite as it is bound (`SQLITE_TRANSIENT`), so no Swift string has to outlive its call.
struct RowBinder {
    private let statement: SQLiteStatement
    /// The last parameter bound (SQLite numbers them from 1).
    private var index: Int32 = 0
    /// The first binding that failed, reported by ``run(expectingColumns:)``.
    private var failure: Int32 = SQLITE_OK

    init(statement: SQLiteStatement) {
        self.statement = statement
        sqlite3_reset(statement)
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else { return check(sqlite3_bind_null(statement, index)) }
        let code = value.withUTF8 { text in
            text.withMemoryRebound(to: CChar.self) { characters in
                // An empty buffer may have no address, and SQLite binds NULL for a null pointer.
                guard let start = characters.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
                return sqlite3_bind_text(statement, index, start, Int32(characters.count), Self.transient)
            }
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
