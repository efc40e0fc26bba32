/// `truncation`: the provider stopped because of the output-token limit.
enum TruncationGate {
    /// Finish reasons that mean "cut off" (OpenAI `length`, Anthropic `max_tokens`).
    static let truncatedReasons: Set<String> = ["length", "max_tokens"]

    static func evaluate(finishReason: String?) -> GateResult {
        guard let finishReason else { return .pass(.truncation, "no finish_reason reported") }
        if truncatedReasons.contains(finishReason) {
            return .fail(.truncation, "the answer was cut off (finish_reason: \(finishReason))", details: ["finish_reason": .string(finishReason)])
        }
        if let known = knownPasses[finishReason] { return known }
        return pass(finishReason)
    }

    private static func pass(_ finishReason: String) -> GateResult {
        .pass(.truncation, "finish_reason: \(finishReason)", details: ["finish_reason": .string(finishReason)])
    }

    /// The results for the usual finish reasons, built once (their reason text and details cost
    /// three allocations on every answer).
    private static let knownPasses: [String: GateResult] = Dictionary(
        uniqueKeysWithValues: ["stop", "tool_calls", "function_call", "end_turn", "stop_sequence", "content_filter"].map { ($0, pass($0)) })
}

/// `empty`: no text (whitespace only) and no tool calls.
enum EmptyGate {
    static func evaluate(content: String, hasToolCalls: Bool) -> GateResult {
        if hasToolCalls { return .pass(.empty, "the answer is a tool call") }
        if content.utf8.contains(where: { !isSpace($0) }) { return .pass(.empty, "the answer has text") }
        return .fail(.empty, content.isEmpty ? "the answer is empty" : "the answer is only whitespace")
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}

/// `refusal`: a refusal phrase near the start of the answer, or a hedge phrase anywhere.
struct RefusalGate: Sendable, Hashable {
    let refusals: PhraseList
    let hedges: PhraseList
    let window: Int
    let hedgeFails: Bool

    init(_ settings: RefusalSettings) {
        refusals = PhraseList(settings.phrases)
        hedges = PhraseList(settings.hedges)
        window = max(1, settings.window)
        hedgeFails = settings.hedgeFails
    }

    /// The result, and whether a non-failing hedge should flag the answer as uncertain.
    func evaluate(content: String) -> (result: GateResult, flag: Bool) {
        let text = FoldedText(content, mark: window)
        if let phrase = refusals.firstMatch(in: text, prefix: text.markedCount) {
            return (.fail(.refusal, "the answer refuses (\"\(phrase)\")", details: ["phrase": .string(phrase), "kind": "refusal"]), false)
        }
        if let phrase = hedges.firstMatch(in: text) {
            let details: JSONObject = ["phrase": .string(phrase), "kind": "hedge"]
            if hedgeFails { return (.fail(.refusal, "the answer hedges (\"\(phrase)\")", details: details), false) }
            return (.pass(.refusal, "the answer hedges (\"\(phrase)\"); flagged for review", score: 0.5, details: details), true)
        }
        return (.pass(.refusal, "no refusal or hedge phrase"), false)
    }
}
