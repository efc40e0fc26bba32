import ArgumentParser
import Foundation
import Logging
import SwitchyardConfig
import SwitchyardCore
import SwitchyardStorage

/// `switchyard report`: spend, savings and service quality from the ledger.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarize the ledger: requests, tokens, cost, savings against all-premium, escalations, fallbacks, latency.",
        discussion: """
            Reads the ledger database directly (read-only), so it works while the gateway runs. The database is the one named by `storage.sqlite` in --config, or --database, or ./switchyard.sqlite.

            Savings compare each request's cost with the same tokens at the premium tier's prices. Effectiveness is the share of that baseline saved on accepted answers (200 and not flagged for review): failed and flagged requests count their baseline but save nothing.

            Examples:
              switchyard report --since 7d --by task
              switchyard report --database switchyard.sqlite --since 2026-11-01 --by day --format csv
            """
    )

    @Option(name: .shortAndLong, help: "Configuration file whose `storage` names the database.", completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    @Option(help: "SQLite ledger file (instead of --config).", completion: .file(extensions: ["sqlite"]))
    var database: String?

    @Option(help: "Start of the period: a look-back like 30m, 24h, 7d, 4w, or a date (2026-11-01 or 2026-11-01T09:00:00Z). Default: everything.")
    var since: String?

    @Option(help: "End of the period (exclusive), same forms as --since. Default: now.")
    var until: String?

    @Option(help: "Group by task, tier, model, tenant, region or day (UTC). Default: totals only.")
    var by: String?

    @Option(help: "Output format: table, csv or json.")
    var format: String = "table"

    func validate() throws {
        if config != nil, database != nil { throw ValidationError("Give --config or --database, not both.") }
        if let by, LedgerReportDimension(rawValue: by) == nil {
            throw ValidationError("--by must be one of \(LedgerReportDimension.allCases.map(\.rawValue).joined(separator: ", ")); got '\(by)'.")
        }
        guard LedgerReportFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of table, csv, json; got '\(format)'.")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, ReportPeriod.instant(value, now: Date()) == nil {
                throw ValidationError("\(name) '\(value)' is neither a look-back (30m, 24h, 7d, 4w) nor a date (2026-11-01, 2026-11-01T09:00:00Z).")
            }
        }
    }

    func run() async throws {
        let now = Date()
        let store: any DurableStore
        do {
            store = try await StoreOpener.open(try storage(), readOnly: true, logger: Logger(label: "switchyard.cli", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch let error as StoreError {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let entries = try await store.ledgerEntries(
            since: since.flatMap { ReportPeriod.instant($0, now: now) }, until: until.flatMap { ReportPeriod.instant($0, now: now) }, full: false)
        let report = LedgerReport(entries: entries, by: by.flatMap(LedgerReportDimension.init(rawValue:)))
        let output = LedgerReportFormat(rawValue: format) ?? .table
        if output == .table {
            printNow("Ledger \(store.name): \(entries.count) requests" + (since.map { " since \($0)" } ?? "") + (until.map { " until \($0)" } ?? ""))
        }
        print(report.rendered(as: output), terminator: "")
    }

    /// The database to read: `--database`, the configuration's `storage`, or the default file.
    private func storage() throws -> StorageSettings {
        if let database { return .sqlite(path: database) }
        guard let config else { return .default }
        do {
            return try ConfigLoader(environment: ProcessInfo.processInfo.environment).load(path: config).storage
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

/// Reads `--since`/`--until` values.
enum ReportPeriod {
    /// `value` as an instant: a look-back from `now` (`30m`, `24h`, `7d`, `4w`) or an ISO date.
    static func instant(_ value: String, now: Date) -> Date? {
        if let seconds = span(value) { return now.addingTimeInterval(-seconds) }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: value) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: value)
    }

    /// `30m`, `24h`, `7d`, `4w` in seconds (not negative), or `nil`.
    static func span(_ value: String) -> TimeInterval? {
        let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = value.last, let scale = units[unit], let amount = Double(value.dropLast()), amount >= 0 else { return nil }
        return amount * scale
    }
}
