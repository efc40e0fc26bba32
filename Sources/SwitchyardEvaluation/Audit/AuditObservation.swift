import SwitchyardCore

/// One successful answer of a model to an audit sample.
public struct AuditAnswer: Sendable, Hashable {
    /// The answer text (`choices[0].message.content`).
    public var text: String
    /// Wall time from sending the request to having the whole answer, in milliseconds.
    public var latencyMS: Double
    /// What the gateway charged (`x-switchyard-cost-usd`), if it said.
    public var costUSD: Double?
    /// Mean of `choices[0].logprobs.content[].logprob`, if the answer had logprobs.
    public var meanLogprob: Double?
    /// The model that actually answered (`x-switchyard-model`), if the gateway said.
    public var servedModel: String?

    public init(text: String, latencyMS: Double, costUSD: Double? = nil, meanLogprob: Double? = nil, servedModel: String? = nil) {
        self.text = text
        self.latencyMS = latencyMS
        self.costUSD = costUSD
        self.meanLogprob = meanLogprob
        self.servedModel = servedModel
    }
}

/// A request of an audit that did not produce a usable answer.
public struct AuditFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short label failures are counted under, e.g. `HTTP 429`, `timeout`, `served by demo-mid`.
    public var category: String
    /// The whole story, for the first occurrence of each category.
    public var message: String
    /// Whether the audit cannot go on at all (gateway unreachable, unknown model, rejected key).
    public var isFatal: Bool

    public init(category: String, message: String, isFatal: Bool = false) {
        self.category = category
        self.message = message
        self.isFatal = isFatal
    }

    public var description: String { message }
}

/// Why an audit stopped before it could report.
public struct AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// What the audit needs from a gateway: chat answers and, for embedding agreement, embeddings.
public protocol AuditBackend: Sendable {
    /// Sends `sample` to `model` and reads the answer, or says why there is none.
    func complete(_ sample: AuditSample, model: String) async -> Result<AuditAnswer, AuditFailure>
    /// Embeds `texts` (one vector each, in order).
    func embed(_ texts: [String]) async -> Result<[[Double]], AuditFailure>
}

/// Both answers to one sample and how they compare.
public struct AuditPairResult: Sendable {
    public var sample: AuditSample
    public var current: Result<AuditAnswer, AuditFailure>
    public var candidate: Result<AuditAnswer, AuditFailure>
    /// The rule that compared them; `nil` when either failed.
    public var metric: AgreementMetric?
    /// Whether they agree; `nil` when they could not be compared.
    public var agrees: Bool?
    /// Their embedding similarity, when it was measured.
    public var cosine: Double?
    /// Why two answers could not be compared (the embedding request failed).
    public var comparisonFailure: AuditFailure?

    public init(
        sample: AuditSample, current: Result<AuditAnswer, AuditFailure>, candidate: Result<AuditAnswer, AuditFailure>,
        metric: AgreementMetric? = nil, agrees: Bool? = nil, cosine: Double? = nil, comparisonFailure: AuditFailure? = nil
    ) {
        self.sample = sample
        self.current = current
        self.candidate = candidate
        self.metric = metric
        self.agrees = agrees
        self.cosine = cosine
        self.comparisonFailure = comparisonFailure
    }
}
