/// What a semantic classifier (e.g. a local sentence-embedding model) is asked about.
public struct SemanticPrompt: Sendable {
    /// The latest user message.
    public var text: String
    /// The whole conversation.
    public var messages: [ChatMessage]
    /// Task names the answer must come from.
    public var taxonomy: [String]

    public init(text: String, messages: [ChatMessage], taxonomy: [String]) {
        self.text = text
        self.messages = messages
        self.taxonomy = taxonomy
    }
}

/// What a semantic classifier may say; every field is optional.
public struct SemanticSignals: Sendable, Hashable {
    /// A task from the taxonomy.
    public var task: String?
    /// Confidence in `task`, in [0, 1].
    public var taskConfidence: Double?
    /// Complexity in [0, 1].
    public var complexity: Double?

    public init(task: String? = nil, taskConfidence: Double? = nil, complexity: Double? = nil) {
        self.task = task
        self.taskConfidence = taskConfidence
        self.complexity = complexity
    }
}

/// A classifier that understands meaning rather than words, such as an embedding model with a
/// nearest-centroid head. It is consulted after client metadata and rules for the task, and its
/// complexity is blended with the heuristic score (`heuristics.semantic_weight`).
///
/// Implementations must be fast (a few milliseconds) and must not throw: return empty signals
/// when unsure.
public protocol SemanticClassifier: Sendable {
    func classify(_ prompt: SemanticPrompt) -> SemanticSignals
}
