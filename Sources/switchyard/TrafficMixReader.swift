import SwitchyardConfig
import SwitchyardEvaluation

/// A traffic-mix file for `switchyard simulate`: the mix, and optionally its own tier prices.
struct TrafficMixFile: Sendable {
    var mix: TrafficMix
    /// The file's `tiers:` section, cheapest first; `nil` when prices come from a configuration.
    var prices: TierPriceTable?

    /// Reads a traffic mix (YAML), reporting every problem with file, line and key path:
    ///
    /// ```yaml
    /// escalation_rate: 0.2            # share of requests below the top tier that are re-sent one tier up
    /// output_input_ratio: 0.5         # output tokens per input token (tasks may override)
    /// sensitivity: [0.10, 0.15, 0.20, 0.25, 0.30, 0.35]   # optional; escalation rates to tabulate
    /// broker: { monthly: 500, per_request: 0.0001 }       # optional; USD, for the break-even volume
    /// tiers:                          # optional (else --config/--demo): USD per 1M tokens, cheapest first
    ///   light:   { input: 0.15, output: 0.60 }
    ///   premium: { input: 2.50, output: 10.00 }
    /// tasks:
    ///   - name: classify
    ///     requests: 2_000_000         # per month; or `tokens:` (input tokens per month)
    ///     input_tokens: 350           # mean input tokens per request
    ///     output_input_ratio: 0.05
    ///     tiers: { light: 0.85, premium: 0.15 }   # share of first attempts per tier; adds up to 1
    /// ```
    static func load(path: String) throws(ConfigurationError) -> TrafficMixFile {
        try YAMLDocument().read(path: path, read(_:))
    }

    /// Parses mix text; `file` names it in error messages.
    static func parse(yaml: String, file: String) throws(ConfigurationError) -> TrafficMixFile {
        try YAMLDocument().read(yaml: yaml, file: file, read(_:))
    }

    static func read(_ document: MappingReader) -> TrafficMixFile? {
        var mix = TrafficMix(tasks: [], escalationRate: 0)
        if let rate = document.double("escalation_rate", required: true, minimum: 0) {
            if rate > 1 { document.report("escalation_rate", "must be between 0 and 1, got \(rate)") }
            mix.escalationRate = rate
        }
        if let ratio = document.double("output_input_ratio", minimum: 0) { mix.outputInputRatio = ratio }
        if let rates = document.stringList("sensitivity") {
            var parsed: [Double] = []
            for text in rates {
                guard let rate = Double(text), (0...1).contains(rate) else {
                    document.report("sensitivity", "expected escalation rates between 0 and 1, got \"\(text)\"")
                    continue
                }
                parsed.append(rate)
            }
            mix.sensitivityRates = parsed
        }
        if let broker = document.mapping("broker") {
            defer { broker.rejectUnknownKeys() }
            mix.broker = BrokerCost(
                monthlyFixedUSD: broker.double("monthly", minimum: 0) ?? 0, perRequestUSD: broker.double("per_request", minimum: 0) ?? 0)
        }
        var prices: TierPriceTable?
        if let tiers = document.namedMappings("tiers") {
            let entries = tiers.map { name, section in
                defer { section.rejectUnknownKeys() }
                return TierPrice(
                    tier: name, inputPerMillion: section.double("input", required: true, minimum: 0) ?? 0,
                    outputPerMillion: section.double("output", required: true, minimum: 0) ?? 0)
            }
            if entries.isEmpty { document.report("tiers", "must name at least one tier") }
            prices = try? TierPriceTable(tiers: entries)
        }
        let tierNames = prices.map { Set($0.tiers.map(\.tier)) }
        let tasks = document.mappings("tasks", required: true)
        for section in tasks ?? [] {
            if let task = readTask(section, knownTiers: tierNames) { mix.tasks.append(task) }
        }
        if tasks?.isEmpty == true { document.report("tasks", "must list at least one task") }
        return TrafficMixFile(mix: mix, prices: prices)
    }

    static func readTask(_ section: MappingReader, knownTiers: Set<String>?) -> TaskTraffic? {
        defer { section.rejectUnknownKeys() }
        let name = section.string("name", required: true) ?? ""
        let requests = section.double("requests", minimum: 0)
        let tokens = section.double("tokens", minimum: 0)
        let input = section.double("input_tokens", required: true, minimum: 0) ?? 0
        let ratio = section.double("output_input_ratio", minimum: 0)
        var shares: [String: Double] = [:]
        if let tiers = section.mapping("tiers", required: true) {
            for tier in tiers.keyNames {
                if let knownTiers, !knownTiers.contains(tier) {
                    tiers.report(tier, "unknown tier '\(tier)'; the file's tiers are \(knownTiers.sorted().joined(separator: ", "))")
                }
                if let share = tiers.double(tier, minimum: 0) { shares[tier] = share }
            }
            let total = shares.values.reduce(0, +)
            if !shares.isEmpty, abs(total - 1) > 1e-6 { section.report("tiers", "shares must add up to 1, got \(total)") }
        }
        switch (requests, tokens) {
        case (let requests?, nil):
            return TaskTraffic(name: name, volume: .requests(requests), inputTokensPerRequest: input, outputInputRatio: ratio, tierShares: shares)
        case (nil, let tokens?):
            if input <= 0 { section.report("input_tokens", "must be above 0 when the volume is given in tokens") }
            return TaskTraffic(name: name, volume: .inputTokens(tokens), inputTokensPerRequest: input, outputInputRatio: ratio, tierShares: shares)
        case (_?, _?):
            section.report("tokens", "give either requests or tokens, not both")
        case (nil, nil):
            if !section.has("requests") && !section.has("tokens") {
                section.reportMissing("requests", hint: "requests per month, or tokens: input tokens per month")
            }
        }
        return nil
    }
}
