import ArgumentParser
import Foundation
import SwitchyardConfig
import SwitchyardCore

/// `switchyard route "prompt"`: shows the routing decision for a prompt, calling no model.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Explain how a prompt would be routed, without calling any model.",
        discussion: """
            Prints the signals (with their sources), the rules that matched, every policy clause applied and why, the chain with estimated costs, and the baseline (premium) cost.

            Examples:
              switchyard route "Summarize this email: ..." --demo
              switchyard route "Prove that ..." --config switchyard.yaml --tenant-tier free --at 2026-11-22T10:00+01:00
              switchyard route "Patient record ..." --config switchyard.yaml --sensitivity restricted --json
            """
    )

    @Argument(help: "The prompt (one user message).")
    var prompt: String

    @Option(name: .shortAndLong, help: "Configuration file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    @Flag(help: "Use the demo configuration instead of a file.")
    var demo = false

    @Option(help: "The model field: auto, tier:NAME or a model name.")
    var model = "auto"

    @Option(help: "Task hint, as a client would send it (overrides rules).")
    var task: String?

    @Option(help: "Complexity hint in [0, 1].")
    var complexity: Double?

    @Option(help: "Sensitivity hint: public, internal or restricted.")
    var sensitivity: String?

    @Option(help: "The tenant's plan: free, pro or enterprise.")
    var tenantTier = "pro"

    @Option(help: "Region the request's data must stay in.")
    var region: String?

    @Option(help: "Regions the tenant allows, comma-separated.")
    var allowedRegions: String?

    @Option(help: "Budget utilisation of the tenant in [0, 1] (spent ÷ limit).")
    var budgetUtilization: Double?

    @Option(help: "Evaluate at this time (ISO 8601, e.g. 2026-11-22T10:00+01:00) instead of now.")
    var at: String?

    @Flag(help: "Print the decision record as JSON.")
    var json = false

    func validate() throws {
        if demo == (config != nil) { throw ValidationError("Give exactly one of --config FILE or --demo.") }
        if UserTier(rawValue: tenantTier) == nil { throw ValidationError("--tenant-tier must be free, pro or enterprise; got '\(tenantTier)'.") }
        if let at, Self.parseTime(at) == nil {
            throw ValidationError("--at must be an ISO 8601 time such as 2026-11-22T10:00+01:00; got '\(at)'.")
        }
    }

    func run() throws {
        let configuration: GatewayConfiguration
        do {
            if demo {
                var environment = ProcessInfo.processInfo.environment
                environment["SWITCHYARD_MOCK_URL"] = "http://127.0.0.1:0/v1"
                configuration = try ConfigLoader(environment: environment).parse(yaml: DemoConfiguration.simulated, file: "<demo:simulated>")
            } else {
                configuration = try ConfigLoader().load(path: config!)
            }
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }

        var headers: [String: String] = [:]
        if let task { headers["x-switchyard-task"] = task }
        if let complexity { headers["x-switchyard-complexity"] = String(complexity) }
        if let sensitivity { headers["x-switchyard-sensitivity"] = sensitivity }
        let body: JSONValue = ["model": .string(model), "messages": [["role": "user", "content": .string(prompt)]]]
        let context = RoutingContext(
            decisionID: "cli", userTier: UserTier(rawValue: tenantTier) ?? .pro,
            allowedRegions: allowedRegions.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) },
            requestRegion: region, now: at.flatMap(Self.parseTime) ?? Date(), budgetUtilization: budgetUtilization)
        do {
            let request = try RoutingRequest(chat: ChatCompletionRequest(json: body), headers: headers)
            let decision = try RoutingEngine(configuration: configuration).route(request, context: context)
            print(json ? JSONWriter.string(decision.record.json) : DecisionReport(decision.record).render())
        } catch {
            printError("route: \(error.status) \(error.code ?? error.type): \(error.message)")
            throw ExitCode(1)
        }
    }

    /// Parses ISO 8601 with or without seconds, with a zone offset or `Z`.
    static func parseTime(_ text: String) -> Date? {
        for format in ["yyyy-MM-dd'T'HH:mmXXXXX", "yyyy-MM-dd'T'HH:mm:ssXXXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXXXX"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

/// The decision record as text for a person.
struct DecisionReport {
    let record: DecisionRecord

    init(_ record: DecisionRecord) {
        self.record = record
    }

    func render() -> String {
        let signals = record.signals
        var lines = [
            "model \(record.requestedModel) (\(record.mode.name)), user tier \(record.userTier.rawValue)",
            "signals:",
            "  task         \(signals.task.value)  [\(signals.task.source.rawValue)]",
            "  complexity   \(Self.format(signals.complexity.value))  [\(signals.complexity.source.rawValue)]",
            "  sensitivity  \(signals.sensitivity.value.rawValue)  [\(signals.sensitivity.source.rawValue)]",
        ]
        let features = signals.complexity.features.filter { $0.contribution != 0 }
        if !features.isEmpty {
            lines.append("  complexity = " + features.map { "\($0.feature.rawValue) \(Self.format($0.value))×\(Self.format($0.weight))" }.joined(separator: " + "))
        }
        if !record.rulesMatched.isEmpty {
            lines.append("rules matched:")
            lines += record.rulesMatched.map { "  \($0.rule): \"\($0.pattern)\"" }
        }
        lines.append("policy:")
        lines += record.clauses.map { "  \($0.clause) → \($0.effect): \($0.reason)" }
        lines.append("  start tier \(record.startTier), ceiling \(record.ceilingTier), escalation \(record.escalationAllowed ? "allowed" : "not allowed")")
        lines.append("chain:")
        let rows = record.chain.enumerated().map { index, entry in
            [
                index == 0 ? "→" : " ", entry.model, entry.tier, entry.provider, entry.region ?? "-",
                "~$\(formatUSD(entry.estimatedCostUSD))",
            ]
        }
        lines += TextTable(rows: rows).lines.map { "  " + $0 }
        if !record.excluded.isEmpty {
            lines.append("excluded:")
            lines += record.excluded.map { "  \($0.model): \($0.reason) [\($0.clause)]" }
        }
        var cost = "estimated cost ~$\(formatUSD(record.estimatedCostUSD)) for ~\(record.expectedOutputTokens) output tokens"
        if let baseline = record.baselineCostUSD {
            cost += "; premium baseline ~$\(formatUSD(baseline))"
            if baseline > 0 { cost += " (saves \(Int(((1 - record.estimatedCostUSD / baseline) * 100).rounded())) %)" }
        }
        lines.append(cost)
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
