import ArgumentParser
import Foundation
import SwitchyardConfig
import SwitchyardCore
import SwitchyardEvaluation
import SwitchyardStorage

/// `switchyard simulate --traffic mix.yaml`: what a month of traffic costs, routed and all-premium;
/// `switchyard simulate --from-ledger DB --config new.yaml`: what recorded traffic would have
/// cost under another policy.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Estimate the monthly cost of a traffic mix (all-premium baseline, routed cost, savings, break-even), or replay recorded traffic under another policy.",
        discussion: """
            The traffic file (YAML) lists tasks with their monthly volume (requests, or input tokens), mean input tokens per request, output/input ratio and the share of first attempts on each tier, plus the escalation rate and, optionally, tier prices and a broker cost:

              escalation_rate: 0.2
              output_input_ratio: 0.5
              broker: { monthly: 500, per_request: 0.0001 }
              tiers: { light: { input: 0.15, output: 0.6 }, premium: { input: 2.5, output: 10 } }
              tasks:
                - { name: classify, requests: 2000000, input_tokens: 350, output_input_ratio: 0.05, tiers: { light: 0.85, premium: 0.15 } }

            Without a tiers section, each tier of --config (or of the demo configuration) is priced at its cheapest model.
            Baseline: every request on the last (premium) tier. Routed: first attempts by the tier shares, plus escalations — that share of the requests below the top tier is sent again one tier up, paying for both attempts. The sensitivity table repeats the routed cost for escalation rates of 10–35 %. Break-even: requests per month at which the savings pay for the broker.

            Replay (--from-ledger DB): every answered chat request in the ledger is routed again by --config's policy with the signals it was recorded with (task, complexity, sensitivity), the model it asked for, its user tier, tenant and region, at the time it was received (so time windows apply as they did), and priced at the deployment the new policy picks first, for the tokens it used. The report compares recorded and replayed cost, both against the baseline, per task, and counts how requests move between tiers. Escalations and fallbacks depend on answers the ledger does not keep: they are reported as recorded, not re-simulated. Failed requests, other endpoints and requests the new policy refuses (e.g. a model it lacks) are counted and left out.

            Examples:
              switchyard simulate --traffic mix.yaml
              switchyard simulate --traffic mix.yaml --config switchyard.yaml --escalation-rate 0.25 --broker-monthly 800
              switchyard simulate --from-ledger switchyard.sqlite --config cheaper-policy.yaml --since 7d
            """
    )

    @Option(help: "The traffic mix (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var traffic: String?

    @Option(help: "Replay the requests recorded in this ledger (SQLite) under --config's policy instead of a traffic mix.", completion: .file(extensions: ["sqlite", "db"]))
    var fromLedger: String?

    @Option(help: "With --from-ledger: first request to replay, as a look-back (30m, 24h, 7d, 4w) or a date (2026-11-01, 2026-11-01T09:00:00Z).")
    var since: String?

    @Option(help: "With --from-ledger: end of the period (exclusive), same forms as --since.")
    var until: String?

    @Option(name: .shortAndLong, help: "The configuration (YAML) whose policy replays the ledger, or whose tiers price a mix without a tiers section.", completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    @Flag(help: "Use the demo configuration instead of --config.")
    var demo = false

    @Option(help: "Override the mix's escalation rate (0…1).")
    var escalationRate: Double?

    @Option(help: "Override the broker's fixed monthly cost (USD).")
    var brokerMonthly: Double?

    @Option(help: "Override the broker's cost per request (USD).")
    var brokerPerRequest: Double?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if demo, config != nil { throw ValidationError("Give at most one of --config FILE or --demo.") }
        if (traffic == nil) == (fromLedger == nil) { throw ValidationError("Give either --traffic FILE (a traffic mix) or --from-ledger DB (recorded traffic).") }
        if fromLedger != nil {
            if config == nil, !demo { throw ValidationError("--from-ledger replays under a policy: give --config FILE (or --demo).") }
            if escalationRate != nil || brokerMonthly != nil || brokerPerRequest != nil {
                throw ValidationError("--escalation-rate and --broker-* apply to --traffic mixes, not to --from-ledger replays.")
            }
        } else if since != nil || until != nil {
            throw ValidationError("--since and --until select ledger entries: use them with --from-ledger.")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, ReportPeriod.instant(value, now: Date()) == nil {
                throw ValidationError("\(name) '\(value)' is neither a look-back (30m, 24h, 7d, 4w) nor a date (2026-11-01, 2026-11-01T09:00:00Z).")
            }
        }
        if let escalationRate, !(0...1).contains(escalationRate) { throw ValidationError("--escalation-rate must be between 0 and 1; got \(escalationRate).") }
        if let brokerMonthly, brokerMonthly < 0 { throw ValidationError("--broker-monthly must not be negative.") }
        if let brokerPerRequest, brokerPerRequest < 0 { throw ValidationError("--broker-per-request must not be negative.") }
    }

    func run() async throws {
        if let fromLedger { return try await replay(ledger: fromLedger) }
        guard let traffic else { throw ExitCode(2) }
        var file: TrafficMixFile
        do {
            file = try TrafficMixFile.load(path: traffic)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        if let escalationRate { file.mix.escalationRate = escalationRate }
        if brokerMonthly != nil || brokerPerRequest != nil {
            var broker = file.mix.broker ?? BrokerCost()
            if let brokerMonthly { broker.monthlyFixedUSD = brokerMonthly }
            if let brokerPerRequest { broker.perRequestUSD = brokerPerRequest }
            file.mix.broker = broker
        }
        let prices = try priceTable(file, traffic: traffic)
        let report: SimulationReport
        do {
            report = try CostSimulator(prices: prices).simulate(file.mix)
        } catch {
            printError("simulate: \(traffic): \(error.description)")
            throw ExitCode(1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            printNow(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(SimulationText.render(report))
        }
    }

    /// The mix's own tiers, else the configuration's (or the demo's), else an error.
    func priceTable(_ file: TrafficMixFile, traffic: String) throws -> TierPriceTable {
        if let prices = file.prices {
            if config != nil || demo { printError("simulate: using the tier prices in \(traffic); --config/--demo ignored") }
            return prices
        }
        guard config != nil || demo else {
            printError("simulate: \(traffic) has no tiers section; give --config FILE or --demo to price the tiers")
            throw ExitCode(1)
        }
        let configuration = try loadConfiguration()
        do {
            return try TierPriceTable(configuration: configuration)
        } catch {
            printError("simulate: \(error.description)")
            throw ExitCode(1)
        }
    }
}

extension SimulateCommand {
    /// `--config`, or the demo's simulated configuration.
    func loadConfiguration() throws -> GatewayConfiguration {
        do {
            if let config { return try ConfigLoader().load(path: config) }
            var environment = ProcessInfo.processInfo.environment
            environment["SWITCHYARD_MOCK_URL"] = "http://127.0.0.1:0/v1"
            return try ConfigLoader(environment: environment).parse(yaml: DemoConfiguration.simulated, file: "<demo:simulated>")
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// `--from-ledger`: routes the recorded requests again under the configuration's policy.
    func replay(ledger path: String) async throws {
        guard FileManager.default.fileExists(atPath: path) else {
            printError("simulate: \(path): no such ledger database")
            throw ExitCode(1)
        }
        let configuration = try loadConfiguration()
        let entries: [LedgerEntry]
        do {
            let now = Date()
            let store = try SQLiteStore(path: path, readOnly: true)
            entries = try await store.ledgerEntries(
                since: since.flatMap { ReportPeriod.instant($0, now: now) }, until: until.flatMap { ReportPeriod.instant($0, now: now) },
                full: false)
        } catch {
            printError("simulate: \(path): \(error.message)")
            throw ExitCode(1)
        }
        let report = LedgerReplay(engine: RoutingEngine(configuration: configuration)).replay(entries)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            printNow(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(LedgerReplayText.render(report, ledger: path, policy: config ?? "the demo configuration"))
        }
    }
}

/// A simulation report as text for a person.
enum SimulationText {
    static func render(_ report: SimulationReport) -> String {
        var lines = ["Tier prices (USD per 1M tokens, input / output):"]
        lines += TextTable(rows: report.tiers.map { ["  \($0.tier)", formatUSD($0.inputPerMillion), "/ " + formatUSD($0.outputPerMillion)] }).lines
        lines.append("")
        var tasks = [["task", "requests/month", "input tokens", "output tokens", "all-premium", "routed"]]
        for task in report.tasks {
            tasks.append([
                task.task, count(task.requests), count(task.inputTokens), count(task.outputTokens), money(task.baselineUSD),
                money(task.routedUSD(escalationRate: report.escalationRate)),
            ])
        }
        lines += TextTable(rows: tasks).lines
        lines.append("")
        lines.append("Monthly, \(count(report.requests)) requests at \(percent(report.escalationRate)) escalation:")
        lines.append("  all-premium baseline  \(money(report.baselineUSD))")
        lines.append("  routed                \(money(report.routedUSD))")
        lines.append("  savings               \(money(report.savingsUSD)) (\(percent(report.savingsFraction)))")
        lines.append("")
        lines.append("Escalation-rate sensitivity:")
        var table = [["  escalation", "routed", "savings", "savings %"]]
        for row in report.sensitivity {
            table.append(["  " + percent(row.escalationRate), money(row.routedUSD), money(row.savingsUSD), percent(row.savingsFraction)])
        }
        lines += TextTable(rows: table).lines
        if let breakEven = report.breakEven {
            lines.append("")
            lines.append("Broker: \(money(breakEven.broker.monthlyFixedUSD))/month + $\(formatUSD(breakEven.broker.perRequestUSD))/request")
            lines.append("  savings per request   $\(formatUSD(breakEven.savingsPerRequestUSD))")
            lines.append("  net monthly savings   \(money(breakEven.netSavingsUSD))")
            lines.append(
                "  break-even volume     "
                    + (breakEven.breakEvenRequestsPerMonth.map { "\(count($0.rounded(.up))) requests/month (same mix)" }
                        ?? "never: the broker's per-request cost exceeds the savings per request"))
        }
        return lines.joined(separator: "\n")
    }

    static func money(_ value: Double) -> String {
        (value < 0 ? "-$" : "$") + grouped(abs(value), decimals: 2)
    }

    static func count(_ value: Double) -> String { grouped(value, decimals: 0) }

    static func percent(_ value: Double) -> String { SVGPlot.fixed(value * 100, 1) + " %" }

    /// Thousands separated by commas, fixed decimals.
    static func grouped(_ value: Double, decimals: Int) -> String {
        let text = SVGPlot.fixed(value, decimals)
        let parts = text.split(separator: ".", maxSplits: 1)
        var digits = Array(parts[0])
        var index = digits.count - 3
        while index > (digits.first == "-" ? 1 : 0) {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits) + (parts.count > 1 ? "." + parts[1] : "")
    }
}
