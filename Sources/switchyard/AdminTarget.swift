import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardConfig
import SwitchyardCore
import SwitchyardStorage

/// Where `keys` and `tenants` act: a running gateway's admin API, or the database directly.
struct AdminTargetOptions: ParsableArguments {
    @Option(help: "A running gateway's base URL (e.g. http://127.0.0.1:8080); uses its admin API.")
    var url: String?

    @Option(help: "Admin key for --url (default: $SWITCHYARD_ADMIN_KEY).")
    var adminKey: String?

    @Option(help: "Act on this SQLite database directly (stop the gateway first: a running gateway keeps keys in memory).")
    var database: String?

    @Option(name: .shortAndLong, help: "Act on the database named by this configuration's `storage` (SQLite or PostgreSQL).")
    var config: String?

    func validate() throws {
        let chosen = [url, database, config].compactMap { $0 }.count
        guard chosen == 1 else { throw ValidationError("Give exactly one of --url, --database or --config.") }
        if url != nil, (adminKey ?? ProcessInfo.processInfo.environment["SWITCHYARD_ADMIN_KEY"]) == nil {
            throw ValidationError("--url needs --admin-key or SWITCHYARD_ADMIN_KEY.")
        }
    }

    /// The database for direct access, or `nil` when acting over HTTP.
    func storage() throws -> StorageSettings? {
        if let database { return .sqlite(path: database) }
        guard let config else { return nil }
        do {
            return try ConfigLoader(environment: ProcessInfo.processInfo.environment).load(path: config).storage
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// Sends an admin request to the gateway; prints its error and exits 1 on a non-2xx answer.
    func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        let key = adminKey ?? ProcessInfo.processInfo.environment["SWITCHYARD_ADMIN_KEY"] ?? ""
        var request = HTTPClientRequest(url: (url ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            printError("error: cannot reach \(url ?? ""): \(error)")
            throw ExitCode(1)
        }
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let json = (try? JSONParser.parse(bytes.readableBytesView)) ?? .null
        guard (200..<300).contains(response.status.code) else {
            printError("error: \(response.status.code): \(json["error"]?["message"]?.stringValue ?? String(buffer: bytes))")
            throw ExitCode(1)
        }
        return json
    }

    /// Opens the database for direct changes.
    func openStore(_ storage: StorageSettings) async throws -> any DurableStore {
        do {
            return try await StoreOpener.open(storage, logger: Logger(label: "switchyard.cli", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }
}

/// Reads `30m`, `12h`, `30d`, `4w` as seconds.
func parseLifetime(_ text: String) -> TimeInterval? {
    ReportPeriod.span(text).flatMap { $0 > 0 ? $0 : nil }
}
