/// How the simulated provider behaves: per-model latency, output size, confidence and faults.
public struct MockProfile: Sendable, Hashable {
    /// Seed for the deterministic text and fault draws.
    public var seed: UInt64
    /// Behaviour of models not listed in ``models``.
    public var defaultModel: MockModelProfile
    /// Behaviour per upstream model id.
    public var models: [String: MockModelProfile]
    /// Whether a model not in ``models`` gets 404 (like a real provider) instead of the default.
    public var rejectUnknownModels: Bool

    public init(seed: UInt64 = 42, defaultModel: MockModelProfile = MockModelProfile(), models: [String: MockModelProfile] = [:], rejectUnknownModels: Bool = false) {
        self.seed = seed
        self.defaultModel = defaultModel
        self.models = models
        self.rejectUnknownModels = rejectUnknownModels
    }

    /// The profile of `model`, or `nil` if unknown models are rejected.
    public func model(_ model: String) -> MockModelProfile? {
        models[model] ?? (rejectUnknownModels ? nil : defaultModel)
    }

    /// A profile with no latency at all, for tests and benchmarks.
    public static let instant = MockProfile(defaultModel: MockModelProfile(timeToFirstToken: .zero, tokensPerSecond: 0))
}

/// One simulated model.
public struct MockModelProfile: Sendable, Hashable {
    /// Delay before the first token (or before the whole answer when not streaming).
    public var timeToFirstToken: Duration
    /// Generation speed after the first token; 0 means instant.
    public var tokensPerSecond: Double
    /// Typical answer length in tokens (the actual length varies ±50 %, capped by `max_tokens`).
    public var outputTokens: Int
    /// Mean token logprob reported when logprobs are requested (closer to 0 = more confident).
    public var meanLogprob: Double
    /// Context window: prompts plus `max_tokens` beyond it fail with `context_length_exceeded`.
    public var contextWindow: Int
    /// Probability per request of each fault.
    public var faultRates: [MockFaultKind: Double]
    /// Capability in 0…1 for short-answer requests (see ``MockShortAnswer``): with a skill, such a
    /// request gets a canonical answer derived from the prompt, right with a probability that rises
    /// with the skill and falls with the prompt's difficulty. `nil` (the default): free text only.
    public var skill: Double?

    public init(
        timeToFirstToken: Duration = .milliseconds(40), tokensPerSecond: Double = 150, outputTokens: Int = 48,
        meanLogprob: Double = -0.25, contextWindow: Int = 128_000, faultRates: [MockFaultKind: Double] = [:],
        skill: Double? = nil
    ) {
        self.timeToFirstToken = timeToFirstToken
        self.tokensPerSecond = tokensPerSecond
        self.outputTokens = outputTokens
        self.meanLogprob = meanLogprob
        self.contextWindow = contextWindow
        self.faultRates = faultRates
        self.skill = skill
    }
}
