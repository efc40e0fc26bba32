/// One prompt of a `routing.jsonl` file with the measured outcome of each model on it.
public struct RoutingRecord: Sendable, Hashable, Codable {
    /// Stable identifier, e.g. `gsm8k/12`.
    public var id: String
    /// The prompt text as the models saw it (lists of messages are joined with newlines upstream).
    public var prompt: String
    /// Task or benchmark name, e.g. `gsm8k` or `arc-challenge`.
    public var category: String
    /// Outcome score in [0, 1] per model name (1 = correct). Models without a score are absent.
    public var outcomes: [String: Double]
    /// Exact cost in USD of answering this prompt, per model, when the dataset records it.
    public var costsUSD: [String: Double]?
    /// Input tokens of the prompt, when the dataset records them.
    public var inputTokens: Int?
    /// Output tokens per model, when the dataset records them.
    public var outputTokens: [String: Int]?
    /// RouteLLM's contamination flag: the prompt is a near-duplicate of router training data.
    public var contaminated: Bool?
    /// The dataset's own split (`train` or `test`), when it has one.
    public var split: String?

    public init(
        id: String, prompt: String, category: String, outcomes: [String: Double], costsUSD: [String: Double]? = nil,
        inputTokens: Int? = nil, outputTokens: [String: Int]? = nil, contaminated: Bool? = nil, split: String? = nil
    ) {
        self.id = id
        self.prompt = prompt
        self.category = category
        self.outcomes = outcomes
        self.costsUSD = costsUSD
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.contaminated = contaminated
        self.split = split
    }

    /// Whether both models have an outcome on this prompt.
    public func hasOutcomes(for models: [String]) -> Bool {
        models.allSatisfy { outcomes[$0] != nil }
    }
}
