import Foundation
import Logging
import PostgresNIO
import SwitchyardCore

/// Creating and dropping whole databases on a PostgreSQL server: what a setup script or a test
/// does before a gateway is pointed at a new database. The gateway itself never does this; it
/// creates its tables in the database it is given.
public enum PostgresDatabases {
    /// Creates the database `name` on the server `server` points at (through its database).
    public static func create(_ name: String, on server: PostgresLocation) async throws(StoreError) {
        try await administer(server, "CREATE DATABASE \(try identifier(name))", what: "create database '\(name)'")
    }

    /// Drops the database `name` if it exists, ending its connections.
    public static func drop(_ name: String, on server: PostgresLocation) async throws(StoreError) {
        try await administer(server, "DROP DATABASE IF EXISTS \(try identifier(name)) WITH (FORCE)", what: "drop database '\(name)'")
    }

    /// Runs `body` with a new, empty database on `server` (a random name), and drops it after.
    public static func withTemporaryDatabase<T>(on server: PostgresLocation, _ body: (PostgresLocation) async throws -> T) async throws -> T {
        let name = "sy_tmp_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await create(name, on: server)
        var location = server
        location.database = name
        do {
            let result = try await body(location)
            try await drop(name, on: server)
            return result
        } catch {
            try? await drop(name, on: server)
            throw error
        }
    }

    /// `name` quoted as an SQL identifier; only letters, digits and `_` are taken.
    private static func identifier(_ name: String) throws(StoreError) -> String {
        guard !name.isEmpty, name.utf8.count <= 63, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
            throw StoreError(.operationFailed, "'\(name)' is not a database name this takes (letters, digits and _, at most 63)")
        }
        return "\"\(name)\""
    }

    private static func administer(_ server: PostgresLocation, _ sql: String, what: String) async throws(StoreError) {
        let logger = Logger(label: "switchyard.storage", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            try await PostgresStore.withConnection(to: server, logger: logger) { connection in
                _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.operationFailed, "cannot \(what) on \(server): \(PostgresErrorText.describe(error))")
        }
    }
}
