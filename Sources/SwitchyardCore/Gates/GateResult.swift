/// One answer as the gates see it, built by the gateway from a provider response.
public struct GateInput: Sendable {
    /// The assistant message text.
    public var content: String
    /// `stop`, `length`, `tool_calls`, `content_filter`, …
    public var finishReason: String?
    /// Per-token logprobs, if the provider returned them.
    public var tokenLogprobs: [Double]?
    /// Whether the answer carries tool calls (then empty text is not an empty answer).
    public var hasToolCalls: Bool
    /// The routed task name.
    public var task: String
    /// The client's request: `response_format`, `metadata.switchyard.*`.
    public var request: ChatCompletionRequest

    public init(content: String, finishReason: String? = nil, tokenLogprobs: [Double]? = nil, hasToolCalls: Bool = false, task: String, request: ChatCompletionRequest) {
        self.content = content
        self.finishReason = finishReason
        self.tokenLogprobs = tokenLogprobs
        self.hasToolCalls = hasToolCalls
        self.task = task
        self.request = request
    }
}

/// The verdict of one gate on one answer.
public struct GateResult: Sendable, Hashable {
    /// The gate's name (``GateKind`` raw value).
    public var gate: String
    public var passed: Bool
    /// How well the answer did, in [0, 1]: 1 or 0 for yes/no checks; for `confidence`, the
    /// geometric-mean token probability (exp of the mean logprob).
    public var score: Double
    /// Why it passed or failed, for a person (and for the JSON repair prompt).
    public var reason: String
    /// The gate did not run because its input was missing (e.g. no logprobs returned); counts as passed.
    public var skipped: Bool
    /// Gate-specific measurements (e.g. `mean_logprob`, `errors`), for the decision record.
    public var details: JSONObject

    public init(gate: GateKind, passed: Bool, score: Double, reason: String, skipped: Bool = false, details: JSONObject = JSONObject()) {
        self.gate = gate.rawValue
        self.passed = passed
        self.score = score
        self.reason = reason
        self.skipped = skipped
        self.details = details
    }

    /// The gate as a ``GateKind``.
    public var kind: GateKind? { GateKind(rawValue: gate) }

    static func pass(_ gate: GateKind, _ reason: String, score: Double = 1, details: JSONObject = JSONObject()) -> GateResult {
        GateResult(gate: gate, passed: true, score: score, reason: reason, details: details)
    }

    static func fail(_ gate: GateKind, _ reason: String, score: Double = 0, details: JSONObject = JSONObject()) -> GateResult {
        GateResult(gate: gate, passed: false, score: score, reason: reason, details: details)
    }

    /// Writes the members of ``json`` into `writer`, without building the tree when no detail
    /// shares a name with a fixed member.
    public func write(into writer: inout JSONObjectWriter) {
        guard Self.fixedMembers.allSatisfy({ details[$0] == nil }) else {
            for (key, value) in json.objectValue?.entries ?? JSONObject().entries { writer.value(named: key, value) }
            return
        }
        writer.string(.gate, gate)
        writer.bool(.passed, passed)
        writer.double(.score, (score * 10_000).rounded() / 10_000)
        writer.string(.reason, reason)
        if skipped { writer.bool(.skipped, true) }
        for (key, value) in details.entries { writer.value(named: key, value) }
    }

    private static let fixedMembers = ["gate", "passed", "score", "reason", "skipped"]

    /// `{"gate", "passed", "score", "reason", "skipped"?, …details}` for the decision record.
    public var json: JSONValue {
        var object = JSONObject([
            ("gate", .string(gate)), ("passed", .bool(passed)), ("score", .double((score * 10_000).rounded() / 10_000)), ("reason", .string(reason)),
        ])
        if skipped { object["skipped"] = .bool(true) }
        for (key, value) in details.entries { object[key] = value }
        return .object(object)
    }
}

/// Every gate's verdict on one answer.
public struct GateReport: Sendable {
    /// One result per gate that applied, in evaluation order.
    public var results: [GateResult]
    /// The answer passed every gate but sits in the uncertain band (or hedged where hedges only
    /// flag): accept it, but queue it for review.
    public var uncertain: Bool

    public init(results: [GateResult], uncertain: Bool = false) {
        self.results = results
        self.uncertain = uncertain
    }

    /// Whether every gate passed (vacuously true with no gates).
    public var passed: Bool { results.allSatisfy(\.passed) }

    /// The first failed gate, which decides whether to repair or escalate.
    public var firstFailure: GateResult? { results.first { !$0.passed } }

    /// Every failed gate.
    public var failures: [GateResult] { results.filter { !$0.passed } }

    /// Writes the members of ``json`` into `writer`, without building the tree.
    public func write(into writer: inout JSONObjectWriter) {
        writer.bool(.passed, passed)
        writer.bool(.uncertain, uncertain)
        writer.strings(.failed, failures.map(\.gate))
        writer.objects(.results, results) { $1.write(into: &$0) }
    }

    /// `{"passed", "uncertain", "failed": [names], "results": [...]}` for the decision record.
    public var json: JSONValue {
        .object(JSONObject([
            ("passed", .bool(passed)), ("uncertain", .bool(uncertain)), ("failed", .array(failures.map { .string($0.gate) })),
            ("results", .array(results.map(\.json))),
        ]))
    }
}
