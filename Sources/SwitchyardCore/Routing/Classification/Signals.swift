/// Where a signal came from, strongest first.
public enum SignalSource: String, Sendable, Hashable, CaseIterable {
    /// `metadata.switchyard.*` in the request body.
    case metadataBody = "metadata.body"
    /// An `x-switchyard-*` request header.
    case metadataHeader = "metadata.header"
    /// A configured keyword, phrase or regex rule.
    case rule
    /// The semantic classifier.
    case semantic
    /// The heuristic complexity score.
    case heuristic
    /// The heuristic score blended with the semantic classifier's.
    case heuristicSemantic = "heuristic+semantic"
    /// The policy's default.
    case `default`
}

/// The task type of a request.
public struct TaskSignal: Sendable, Hashable {
    public var value: String
    public var source: SignalSource
    /// Share of rule score that went to the winning task (1 for metadata; the semantic
    /// classifier's confidence; 0 for the default).
    public var score: Double
}

/// One input of the heuristic complexity score and what it contributed.
public struct FeatureScore: Sendable, Hashable {
    public var feature: ComplexityFeature
    /// The feature's value in [0, 1].
    public var value: Double
    public var weight: Double
    public var contribution: Double { value * weight }
}

/// How hard a request is, in [0, 1].
public struct ComplexitySignal: Sendable, Hashable {
    public var value: Double
    public var source: SignalSource
    /// The heuristic score (always computed, for explanation), and its features.
    public var heuristic: Double
    public var features: [FeatureScore]
    /// The semantic classifier's score, if it gave one.
    public var semantic: Double?
}

/// How sensitive a request's data is.
public struct SensitivitySignal: Sendable, Hashable {
    public var value: Sensitivity
    public var source: SignalSource
}

/// Everything the classifier learned about a request. Signals never name a model.
public struct RoutingSignals: Sendable, Hashable {
    public var task: TaskSignal
    public var complexity: ComplexitySignal
    public var sensitivity: SensitivitySignal
    /// The latest user message disputes the previous answer.
    public var disputed: Bool
    /// Estimated prompt tokens (UTF-8 bytes / 4).
    public var promptTokens: Int
    /// Number of user messages.
    public var userTurns: Int
}

/// One configured rule that matched the prompt.
public struct RuleMatch: Sendable, Hashable {
    /// Configuration path of the rule list, e.g. `tasks.code.keywords`.
    public var rule: String
    /// The keyword, phrase or regex that matched.
    public var pattern: String
}
