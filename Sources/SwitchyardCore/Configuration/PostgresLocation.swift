import Foundation

/// Where a PostgreSQL database is and how to connect to it (`storage.postgres`), read from a
/// connection URL: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`.
public struct PostgresLocation: Sendable, Hashable {
    /// How the connection uses TLS (libpq's `sslmode` names).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP, as on loopback or a private network.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS or no connection; the server's certificate is verified against the system's roots.
        case require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Reads a connection URL; the error says what is wrong with it, without its password.
    public init(url text: String) throws(PostgresLocationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw PostgresLocationError("is not a URL; expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresLocationError("must start with postgres:// (got \(scheme)://)")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresLocationError("names no host") }
        guard let username = components.user, !username.isEmpty else { throw PostgresLocationError("names no user (postgres://USER@HOST/DATABASE)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw PostgresLocationError("names no database (…@HOST/DATABASE)") }
        if let port = components.port, !(1...65_535).contains(port) { throw PostgresLocationError("has port \(port), outside 1–65535") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresLocationError("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            default:
                throw PostgresLocationError("has an unknown parameter '\(item.name)' (only sslmode is read)")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, username: components.percentEncodedUser?.removingPercentEncoding ?? username,
            password: components.percentEncodedPassword?.removingPercentEncoding, database: database.removingPercentEncoding ?? database, tls: tls)
    }
}

extension PostgresLocation: CustomStringConvertible {
    /// The URL without its password, for logs and messages.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }
}

/// What is wrong with a PostgreSQL connection URL.
public struct PostgresLocationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
