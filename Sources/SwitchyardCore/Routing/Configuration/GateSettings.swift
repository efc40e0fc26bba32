/// The quality checks the gateway can run on an answer before returning it.
public enum GateKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The answer parses as JSON and, with `response_format: json_schema`, validates against the schema.
    case json
    /// Token logprobs: mean, minimum and the share of low-confidence tokens.
    case confidence
    /// `finish_reason: length` (the answer was cut off).
    case truncation
    /// The answer has no text (and no tool calls).
    case empty
    /// Refusals ("I'm not able to") and hedges ("as an AI") from configurable phrase lists.
    case refusal
    /// Math/numeric answers must end in a final number.
    case number
    /// Classification answers must be one of the allowed labels.
    case label
    /// Code answers must contain a fenced code block whose brackets balance.
    case code
    /// The answer must match a regular expression demanded by the request or the task.
    case regex

    /// Evaluation order: cheap structural checks first.
    var order: Int {
        switch self {
        case .empty: 0
        case .truncation: 1
        case .refusal: 2
        case .json: 3
        case .label: 4
        case .number: 5
        case .code: 6
        case .regex: 7
        case .confidence: 8
        }
    }

    public static func < (lhs: GateKind, rhs: GateKind) -> Bool { lhs.order < rhs.order }

    /// The gates every default task runs: truncation, empty, refusal, and json (which only runs
    /// when the request asks for JSON output).
    public static let baseline: [GateKind] = [.truncation, .empty, .refusal, .json]
}

/// Logprob thresholds of the confidence gate. Every field is optional so that per-model, per-task
/// and per-request values can override just the fields they name (see ``merged(with:)``).
public struct ConfidenceThresholds: Sendable, Hashable {
    /// Lowest acceptable mean token logprob (≤ 0).
    public var meanLogprob: Double?
    /// Lowest acceptable single-token logprob (≤ 0).
    public var minLogprob: Double?
    /// A token whose logprob is below this is "low-confidence" (≤ 0).
    public var lowLogprob: Double?
    /// Largest acceptable share of low-confidence tokens, in [0, 1].
    public var maxLowShare: Double?

    public init(meanLogprob: Double? = nil, minLogprob: Double? = nil, lowLogprob: Double? = nil, maxLowShare: Double? = nil) {
        self.meanLogprob = meanLogprob
        self.minLogprob = minLogprob
        self.lowLogprob = lowLogprob
        self.maxLowShare = maxLowShare
    }

    /// The built-in thresholds: mean ≥ −1.0 (geometric-mean token probability ≈ 0.37), no token
    /// below −9.2 (p ≈ 0.0001), at most 25 % of tokens below −2.3 (p ≈ 0.1).
    public static let defaults = ConfidenceThresholds(meanLogprob: -1.0, minLogprob: -9.2, lowLogprob: -2.3, maxLowShare: 0.25)

    /// These thresholds with every field `overrides` sets replaced.
    public func merged(with overrides: ConfidenceThresholds?) -> ConfidenceThresholds {
        guard let overrides else { return self }
        return ConfidenceThresholds(
            meanLogprob: overrides.meanLogprob ?? meanLogprob, minLogprob: overrides.minLogprob ?? minLogprob,
            lowLogprob: overrides.lowLogprob ?? lowLogprob, maxLowShare: overrides.maxLowShare ?? maxLowShare)
    }

    /// Why a set value is out of range (logprobs must be ≤ 0, the share in [0, 1]), keyed by its
    /// configuration name; empty when all are valid.
    public var problems: [(key: String, message: String)] {
        var result: [(String, String)] = []
        for (key, value) in [("mean_logprob", meanLogprob), ("min_logprob", minLogprob), ("low_logprob", lowLogprob)] {
            if let value, !(value.isFinite && value <= 0) { result.append((key, "must be a logprob ≤ 0, got \(value)")) }
        }
        if let maxLowShare, !(0...1).contains(maxLowShare) { result.append(("max_low_share", "must be between 0 and 1, got \(maxLowShare)")) }
        return result
    }
}

/// Options of the refusal gate.
public struct RefusalSettings: Sendable, Hashable {
    /// Phrases that mark a refusal, matched case-insensitively within the first ``window`` characters.
    public var phrases: [String]
    /// Phrases that mark a hedge, matched case-insensitively anywhere in the answer.
    public var hedges: [String]
    /// How many leading characters are searched for refusal phrases.
    public var window: Int
    /// Whether a hedge fails the gate (`true`) or only flags the answer as uncertain (`false`).
    public var hedgeFails: Bool

    public init(phrases: [String] = RefusalSettings.defaultPhrases, hedges: [String] = RefusalSettings.defaultHedges, window: Int = 300, hedgeFails: Bool = true) {
        self.phrases = phrases
        self.hedges = hedges
        self.window = window
        self.hedgeFails = hedgeFails
    }

    /// Built-in refusal phrases (straight apostrophes; curly ones in answers are normalized).
    public static let defaultPhrases: [String] = [
        "i'm not able to", "i am not able to", "i'm unable to", "i am unable to", "i can't help with", "i cannot help with",
        "i can't assist with", "i cannot assist with", "i can't provide", "i cannot provide", "i won't be able to",
        "i'm sorry, but i can't", "i'm sorry, but i cannot", "sorry, i can't", "i must decline", "i can't comply", "i cannot comply",
    ]

    /// Built-in hedge phrases: kept narrow so that ordinary answers do not fail.
    public static let defaultHedges: [String] = [
        "as an ai", "as a language model", "as an ai language model", "i don't have access to real-time", "i do not have access to real-time",
        "i'm not sure", "i am not sure", "i cannot be certain", "i can't be certain",
    ]
}

/// Options of the number gate.
public struct NumberGateSettings: Sendable, Hashable {
    /// Phrases that introduce the final answer (case-insensitive); the first number after the last
    /// one is the final answer. Without a marker, the last number of the last non-empty line is.
    public var markers: [String]
    /// Fail when no marker is present.
    public var requireMarker: Bool
    /// The final number must be a whole number.
    public var integer: Bool
    /// When the final number follows a marker and the reasoning before it has numbers, the final
    /// number must appear among them (the answer was derived, not guessed).
    public var consistency: Bool
    /// Phrases (case-insensitive) that make a numeric answer fail, e.g. "approximately".
    public var hedges: [String]

    public init(markers: [String] = NumberGateSettings.defaultMarkers, requireMarker: Bool = false, integer: Bool = false, consistency: Bool = false, hedges: [String] = []) {
        self.markers = markers
        self.requireMarker = requireMarker
        self.integer = integer
        self.consistency = consistency
        self.hedges = hedges
    }

    /// Built-in final-answer markers.
    public static let defaultMarkers: [String] = ["####", "final answer", "the answer is", "answer:", "\\boxed{"]
}

/// The gates of one task and their task-level options.
public struct TaskGates: Sendable, Hashable {
    /// The gates that may run for the task. Some only run when their input exists: `json` when the
    /// request asks for JSON output (or ``requireJSON``), `label` when labels are known, `regex`
    /// when a pattern is known, `confidence` when the deployment returns logprobs.
    public var kinds: [GateKind]
    /// Confidence thresholds for this task (over the global ones).
    public var confidence: ConfidenceThresholds?
    /// Confidence thresholds for this task on one model, keyed by model name (over everything else).
    public var confidenceByModel: [String: ConfidenceThresholds]
    /// Allowed labels for the `label` gate when the request gives none.
    public var labels: [String]?
    /// Pattern for the `regex` gate when the request gives none (ICU syntax, case-sensitive).
    public var answerRegex: String?
    /// Number-gate options for this task; `nil` = the global ones.
    public var number: NumberGateSettings?
    /// Run the `json` gate even when the request does not ask for JSON output.
    public var requireJSON: Bool

    public init(
        kinds: [GateKind] = GateKind.baseline, confidence: ConfidenceThresholds? = nil, confidenceByModel: [String: ConfidenceThresholds] = [:],
        labels: [String]? = nil, answerRegex: String? = nil, number: NumberGateSettings? = nil, requireJSON: Bool = false
    ) {
        self.kinds = kinds
        self.confidence = confidence
        self.confidenceByModel = confidenceByModel
        self.labels = labels
        self.answerRegex = answerRegex
        self.number = number
        self.requireJSON = requireJSON
    }
}

/// A range of mean token logprob in which an answer that passed every gate is still flagged for
/// review (`lower ≤ mean < upper`).
public struct UncertainBand: Sendable, Hashable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ meanLogprob: Double) -> Bool { meanLogprob >= lower && meanLogprob < upper }
}

/// Gateway-wide gate settings: the `gates` section of `switchyard.yaml`.
public struct GateSettings: Sendable, Hashable {
    /// Default confidence thresholds.
    public var confidence: ConfidenceThresholds
    /// Confidence overrides per model name.
    public var confidenceByModel: [String: ConfidenceThresholds]
    public var refusal: RefusalSettings
    public var number: NumberGateSettings
    /// Most escalations (tier moves caused by failed gates) per request. 0 = never escalate.
    public var maxEscalations: Int
    /// Before escalating on a failed `json` gate, ask the same model once more with the validation error.
    public var jsonRepair: Bool
    /// Passed answers whose mean logprob falls in this band are flagged for review; `nil` = off.
    public var uncertainBand: UncertainBand?
    /// Share of gated requests that escalate above which the gateway raises an alert.
    public var escalationAlertRate: Double

    public init(
        confidence: ConfidenceThresholds = .defaults, confidenceByModel: [String: ConfidenceThresholds] = [:],
        refusal: RefusalSettings = RefusalSettings(), number: NumberGateSettings = NumberGateSettings(), maxEscalations: Int = 1,
        jsonRepair: Bool = true, uncertainBand: UncertainBand? = UncertainBand(lower: -1.0, upper: -0.6), escalationAlertRate: Double = 0.25
    ) {
        self.confidence = confidence
        self.confidenceByModel = confidenceByModel
        self.refusal = refusal
        self.number = number
        self.maxEscalations = maxEscalations
        self.jsonRepair = jsonRepair
        self.uncertainBand = uncertainBand
        self.escalationAlertRate = escalationAlertRate
    }
}
