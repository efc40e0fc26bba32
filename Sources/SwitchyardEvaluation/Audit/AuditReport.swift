import SwitchyardCore

/// What one model did on one query type.
public struct AuditModelStats: Sendable, Hashable, Codable {
    public var model: String
    /// Requests sent (one per sample).
    public var requests: Int
    /// Requests without a usable answer.
    public var failures: Int
    public var latencyP50MS: Double?
    public var latencyP95MS: Double?
    /// Mean over answers of their mean token logprob.
    public var meanLogprob: Double?
    /// Mean cost of an answer × 1000, in USD.
    public var costPer1kUSD: Double?

    public init(model: String, requests: Int = 0, failures: Int = 0) {
        self.model = model
        self.requests = requests
        self.failures = failures
    }

    /// Failures ÷ requests (0 without requests).
    public var failureRate: Double { requests == 0 ? 0 : Double(failures) / Double(requests) }
}

/// The audit of one query type.
public struct AuditTypeReport: Sendable, Hashable, Codable {
    public var type: String
    /// Samples sent (each to both models).
    public var samples: Int
    /// Distinct prompts of the type in the file.
    public var prompts: Int
    /// Samples with an answer from both models.
    public var comparedSamples: Int
    /// Of those, how many agreed.
    public var agreeingSamples: Int
    /// How many pairs each rule decided (`exact`, `json`, `embedding`).
    public var metrics: [String: Int]
    public var current: AuditModelStats
    public var candidate: AuditModelStats
    /// Current model's mean logprob minus the candidate's (positive: the candidate is less sure).
    public var confidenceGap: Double?
    /// Failures by model and category, e.g. `candidate: HTTP 429` → 2.
    public var failures: [String: Int]
    /// One example message per failure category.
    public var failureExamples: [String: String]

    /// Agreeing ÷ compared samples; `nil` when none were compared.
    public var agreement: Double?
    /// 1 − candidate cost ÷ current cost; `nil` when either is unknown or the current model is free.
    public var savings: Double?
    public var recommendation: AuditRecommendation
}

/// A whole audit: settings, the rule and one report per query type.
public struct AuditReport: Sendable, Hashable, Codable {
    public var gateway: String
    public var currentModel: String
    public var candidateModel: String
    public var agreement: AgreementMode
    public var cosineThreshold: Double?
    public var samplesPerType: Int
    public var seed: UInt64
    public var criteria: AuditCriteria
    public var types: [AuditTypeReport]

    public init(
        gateway: String, currentModel: String, candidateModel: String, agreement: AgreementMode, cosineThreshold: Double?,
        samplesPerType: Int, seed: UInt64, criteria: AuditCriteria, types: [AuditTypeReport]
    ) {
        self.gateway = gateway
        self.currentModel = currentModel
        self.candidateModel = candidateModel
        self.agreement = agreement
        self.cosineThreshold = cosineThreshold
        self.samplesPerType = samplesPerType
        self.seed = seed
        self.criteria = criteria
        self.types = types
    }
}
