/// Everything the routing brain reads from the `tasks`, `sensitivity`, `heuristics` and `policy`
/// sections of `switchyard.yaml`.
///
/// A configuration without those sections gets ``RoutingConfiguration/defaults(tiers:)``: the
/// seven default tasks with keyword rules and thresholds spread over the configured tiers.
public struct RoutingConfiguration: Sendable, Hashable {
    /// The task taxonomy, in priority order (earlier tasks win ties between rule scores).
    public var tasks: [TaskDefinition]
    /// Rules that mark a prompt `internal` or `restricted`.
    public var sensitivity: SensitivityRules
    /// Weights and vocabularies of the heuristic complexity score.
    public var heuristics: HeuristicSettings
    /// How signals, tenant, region, time, budget and session turn into a chain.
    public var policy: RoutingPolicy
    /// Quality-gate defaults, escalation limits and review flagging (the `gates` section); the
    /// gates each task runs are in ``TaskDefinition/gates``.
    public var gates: GateSettings

    public init(
        tasks: [TaskDefinition], sensitivity: SensitivityRules = SensitivityRules(), heuristics: HeuristicSettings = HeuristicSettings(),
        policy: RoutingPolicy = RoutingPolicy(), gates: GateSettings = GateSettings()
    ) {
        self.tasks = tasks
        self.sensitivity = sensitivity
        self.heuristics = heuristics
        self.policy = policy
        self.gates = gates
    }

    /// The task called `name`.
    public func task(named name: String) -> TaskDefinition? {
        tasks.first { $0.name == name }
    }
}

/// One task type of the taxonomy: the rules that recognise it and the tiers that serve it.
public struct TaskDefinition: Sendable, Hashable {
    public var name: String
    /// Words or phrases matched case-insensitively on word boundaries; a trailing `*` also
    /// matches longer words (`refactor*` matches "refactoring").
    public var keywords: [String]
    /// Text matched case-insensitively anywhere, even inside words (e.g. "```python", "def ").
    public var phrases: [String]
    /// Regular expressions (ICU syntax) run on each message; a match counts twice as much as a keyword.
    public var regexes: [String]
    /// Tiers tried in order, cheapest first (the task's execution chain). Empty = every tier.
    public var chain: [String]
    /// Complexity at or above which a request starts at a tier, keyed by tier name.
    public var thresholds: [String: Double]
    /// The quality gates answers of this task go through, with task-level options.
    public var gates: TaskGates

    public init(
        name: String, keywords: [String] = [], phrases: [String] = [], regexes: [String] = [], chain: [String] = [], thresholds: [String: Double] = [:],
        gates: TaskGates = TaskGates()
    ) {
        self.gates = gates
        self.name = name
        self.keywords = keywords
        self.phrases = phrases
        self.regexes = regexes
        self.chain = chain
        self.thresholds = thresholds
    }
}

/// How sensitive a prompt's data is; `restricted` data never leaves its residency regions.
public enum Sensitivity: String, Sendable, Hashable, CaseIterable, Comparable {
    case `public`
    case `internal`
    case restricted

    var rank: Int {
        switch self {
        case .public: 0
        case .internal: 1
        case .restricted: 2
        }
    }

    public static func < (lhs: Sensitivity, rhs: Sensitivity) -> Bool { lhs.rank < rhs.rank }
}

/// Rules (keywords, phrases, regexes) per sensitivity level above `public`.
public struct SensitivityRules: Sendable, Hashable {
    public var `internal`: TextRules
    public var restricted: TextRules

    public init(internal: TextRules = TextRules(), restricted: TextRules = TextRules()) {
        self.internal = `internal`
        self.restricted = restricted
    }
}

/// A set of text rules with the same meaning as ``TaskDefinition``'s `keywords`, `phrases`, `regexes`.
public struct TextRules: Sendable, Hashable {
    public var keywords: [String]
    public var phrases: [String]
    public var regexes: [String]

    public init(keywords: [String] = [], phrases: [String] = [], regexes: [String] = []) {
        self.keywords = keywords
        self.phrases = phrases
        self.regexes = regexes
    }

    public var isEmpty: Bool { keywords.isEmpty && phrases.isEmpty && regexes.isEmpty }
}

/// One input of the heuristic complexity score.
public enum ComplexityFeature: String, Sendable, Hashable, CaseIterable {
    /// Reasoning connectors: "analyze", "compare", "explain why", "step by step", "prove", …
    case reasoning
    /// Instructions and constraints: "must", "at least", "do not", list items, several questions.
    case constraints
    /// Requested output length: `max_tokens` and cues such as "in detail" or "essay".
    case outputLength = "output_length"
    /// Code blocks and code syntax.
    case code
    /// Math vocabulary, operators and numbers.
    case math
    /// Prompt size, log-scaled (a small weight: length alone never decides).
    case promptTokens = "prompt_tokens"
    /// Conversation depth (user turns).
    case depth
    /// Cues that ask for a short answer ("one word", "yes or no"); usually a negative weight.
    case brevity
}

/// Weights and vocabularies of the heuristic complexity score.
///
/// complexity = clamp(Σ weight × feature, 0, 1), each feature in [0, 1].
public struct HeuristicSettings: Sendable, Hashable {
    public var weights: [ComplexityFeature: Double]
    /// Weight of the semantic classifier's complexity when one is installed and answers:
    /// complexity = (1 − w) × heuristic + w × semantic.
    public var semanticWeight: Double
    /// Vocabularies per feature (keywords on word boundaries, `*` suffix for prefixes). Features
    /// missing here use the built-in lists.
    public var terms: [ComplexityFeature: [String]]

    public init(weights: [ComplexityFeature: Double] = HeuristicSettings.defaultWeights, semanticWeight: Double = 0.5, terms: [ComplexityFeature: [String]] = [:]) {
        self.weights = weights
        self.semanticWeight = semanticWeight
        self.terms = terms
    }

    /// The default weights.
    public static let defaultWeights: [ComplexityFeature: Double] = [
        .reasoning: 0.5, .constraints: 0.15, .outputLength: 0.1, .code: 0.15, .math: 0.3,
        .promptTokens: 0.1, .depth: 0.1, .brevity: -0.2,
    ]

    /// The weight of `feature` (0 if unset).
    public func weight(_ feature: ComplexityFeature) -> Double { weights[feature] ?? 0 }

    /// The vocabulary of `feature`: configured, else built in.
    public func vocabulary(_ feature: ComplexityFeature) -> [String] {
        terms[feature] ?? DefaultRouting.terms[feature] ?? []
    }
}
