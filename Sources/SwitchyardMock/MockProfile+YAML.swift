import SwitchyardConfig

extension MockProfile {
    /// Reads a profile file (YAML):
    ///
    /// ```yaml
    /// seed: 42
    /// reject_unknown_models: false
    /// default: { ttft: 40ms, tokens_per_second: 150, output_tokens: 48 }
    /// models:
    ///   small-model: { ttft: 15ms, mean_logprob: -0.6, skill: 0.5, faults: { rate_limit: 0.05, hang: 0.01 } }
    /// ```
    public static func load(path: String) throws(ConfigurationError) -> MockProfile {
        try YAMLDocument().read(path: path, read(_:))
    }

    /// Parses profile text; `file` names it in error messages.
    public static func parse(yaml: String, file: String) throws(ConfigurationError) -> MockProfile {
        try YAMLDocument().read(yaml: yaml, file: file, read(_:))
    }

    static func read(_ document: MappingReader) -> MockProfile? {
        var profile = MockProfile()
        if let seed = document.int("seed", range: 0...Int.max) { profile.seed = UInt64(seed) }
        if let reject = document.bool("reject_unknown_models") { profile.rejectUnknownModels = reject }
        if let section = document.mapping("default") {
            profile.defaultModel = readModel(section, base: MockModelProfile())
        }
        for (name, section) in document.namedMappings("models") ?? [] {
            profile.models[name] = readModel(section, base: profile.defaultModel)
        }
        return profile
    }

    static func readModel(_ section: MappingReader, base: MockModelProfile) -> MockModelProfile {
        defer { section.rejectUnknownKeys() }
        var model = base
        if let ttft = section.duration("ttft", allowZero: true) { model.timeToFirstToken = ttft }
        if let speed = section.double("tokens_per_second", minimum: 0) { model.tokensPerSecond = speed }
        if let tokens = section.int("output_tokens", range: 1...1_000_000) { model.outputTokens = tokens }
        if let logprob = section.double("mean_logprob") {
            if logprob > 0 { section.report("mean_logprob", "must be ≤ 0 (a log probability), got \(logprob)") }
            model.meanLogprob = min(0, logprob)
        }
        if let skill = section.double("skill", minimum: 0) {
            if skill > 1 { section.report("skill", "must be between 0 and 1, got \(skill)") }
            model.skill = min(1, skill)
        }
        if let window = section.int("context_window", range: 1...100_000_000) { model.contextWindow = window }
        if let faults = section.mapping("faults") {
            defer { faults.rejectUnknownKeys() }
            var total = 0.0
            for kind in MockFaultKind.allCases {
                if let rate = faults.double(kind.rawValue, minimum: 0) {
                    model.faultRates[kind] = rate
                    total += rate
                }
            }
            if total > 1 { section.report("faults", "fault rates add up to \(total); they must not exceed 1") }
        }
        return model
    }
}
