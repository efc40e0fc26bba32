/// What the gateway reads of an OpenAI chat completion body on every answer, found in one pass
/// over its bytes without building the body's tree (see
/// ``JSONParser/scanChatCompletion(_:)``).
///
/// The members mean what the same reads of the parsed body mean: the first choice's message
/// content and finish reason, its token log-probabilities, whether it called tools, and the
/// usage object. A key that occurs twice counts as its last occurrence, as in the parsed body.
public struct ChatCompletionSummary: Sendable, Equatable {
    /// `choices` is an array.
    public var hasChoices = false
    /// How many elements `choices` has (0 when it is not an array).
    public var choiceCount = 0
    /// `choices[0].message.content`, when it is a string.
    public var content: String?
    /// `choices[0].finish_reason`, when it is a string.
    public var finishReason: String?
    /// The numbers among `choices[0].logprobs.content[].logprob`; `nil` when that array is absent.
    public var tokenLogprobs: [Double]?
    /// `choices[0].message.tool_calls` is a non-empty array.
    public var hasToolCalls = false
    /// Some choice's `logprobs` is present and not `null`.
    public var anyChoiceHasLogprobs = false
    /// The token counts of the top-level `usage` member, as ``TokenUsage/init(openAIUsage:)``
    /// reads them.
    public var usage: TokenUsage?

    public init(
        hasChoices: Bool = false, content: String? = nil, finishReason: String? = nil, tokenLogprobs: [Double]? = nil,
        hasToolCalls: Bool = false, anyChoiceHasLogprobs: Bool = false, usage: TokenUsage? = nil, choiceCount: Int = 0
    ) {
        self.hasChoices = hasChoices
        self.choiceCount = choiceCount
        self.content = content
        self.finishReason = finishReason
        self.tokenLogprobs = tokenLogprobs
        self.hasToolCalls = hasToolCalls
        self.anyChoiceHasLogprobs = anyChoiceHasLogprobs
        self.usage = usage
    }

    /// The same reads from a body already parsed.
    public init(parsed body: JSONObject) {
        let choices = body["choices"]?.arrayValue
        let choice = choices?.first
        let message = choice?["message"]
        self.init(
            hasChoices: choices != nil, content: message?["content"]?.stringValue, finishReason: choice?["finish_reason"]?.stringValue,
            tokenLogprobs: choice?["logprobs"]?["content"]?.arrayValue?.compactMap { $0["logprob"]?.doubleValue },
            hasToolCalls: !(message?["tool_calls"]?.arrayValue?.isEmpty ?? true),
            anyChoiceHasLogprobs: choices?.contains { ($0["logprobs"] ?? .null) != .null } ?? false,
            usage: TokenUsage(openAIUsage: body["usage"]), choiceCount: choices?.count ?? 0)
    }
}

extension JSONParser {
    /// Checks that `bytes` is one valid JSON document, as ``parse(_:)`` does, and reads what
    /// ``ChatCompletionSummary`` holds from it, allocating only those values. Returns `nil` when
    /// the document is not an object.
    public static func scanChatCompletion(_ bytes: [UInt8]) throws(JSONParseError) -> ChatCompletionSummary? {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> ChatCompletionSummary? in try scanChatCompletion(buffer) }
    }

    /// ``scanChatCompletion(_:)-([UInt8])`` over bytes in place.
    public static func scanChatCompletion(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> ChatCompletionSummary? {
        var parser = JSONParser(buffer)
        parser.skipWhitespace()
        var summary: ChatCompletionSummary?
        if parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") {
            var found = ChatCompletionSummary()
            try parser.forEachMember(depth: 1) { (parser, key) throws(JSONParseError) in
                if key.is("choices") {
                    try parser.scanChoices(into: &found)
                } else if key.is("usage") {
                    found.usage = try parser.scanUsage()
                } else {
                    try parser.skipValue(depth: 1)
                }
            }
            summary = found
        } else {
            try parser.skipValue(depth: 0)
        }
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.error("unexpected data after the JSON value") }
        return summary
    }

    /// `choices`: the first choice's reads, and whether any choice has log-probabilities.
    private mutating func scanChoices(into summary: inout ChatCompletionSummary) throws(JSONParseError) {
        // A later `choices` replaces an earlier one, as in the parsed body.
        let usage = summary.usage
        summary = ChatCompletionSummary(usage: usage)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return try skipValue(depth: 1) }
        summary.hasChoices = true
        try forEachElement(depth: 2) { (parser, position) throws(JSONParseError) in
            summary.choiceCount = position + 1
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "{") else {
                return try parser.skipValue(depth: 2)
            }
            var choice = ChatCompletionSummary()
            try parser.forEachMember(depth: 3) { (parser, key) throws(JSONParseError) in
                if key.is("logprobs") {
                    let isNull = parser.isAtNull
                    if position == 0 {
                        let logprobs = try parser.parseValue(depth: 3)
                        choice.tokenLogprobs = logprobs["content"]?.arrayValue?.compactMap { $0["logprob"]?.doubleValue }
                    } else {
                        try parser.skipValue(depth: 3)
                    }
                    choice.anyChoiceHasLogprobs = !isNull
                } else if position == 0, key.is("finish_reason") {
                    choice.finishReason = try parser.parseStringOrSkip(depth: 3)
                } else if position == 0, key.is("message") {
                    try parser.scanMessage(into: &choice)
                } else {
                    try parser.skipValue(depth: 3)
                }
            }
            if choice.anyChoiceHasLogprobs { summary.anyChoiceHasLogprobs = true }
            if position == 0 {
                summary.content = choice.content
                summary.finishReason = choice.finishReason
                summary.tokenLogprobs = choice.tokenLogprobs
                summary.hasToolCalls = choice.hasToolCalls
            }
        }
    }

    /// `usage`: the counts ``TokenUsage/init(openAIUsage:)`` reads, without building the object
    /// (its keys are too long to be stored inline in a `String`, so each would be allocated).
    private mutating func scanUsage() throws(JSONParseError) -> TokenUsage? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            try skipValue(depth: 1)
            return nil
        }
        var prompt: Int?
        var completion: Int?
        var cached: Int?
        try forEachMember(depth: 2) { (parser, key) throws(JSONParseError) in
            if key.is("prompt_tokens") {
                prompt = try parser.parseValue(depth: 2).intValue
            } else if key.is("completion_tokens") {
                completion = try parser.parseValue(depth: 2).intValue
            } else if key.is("prompt_tokens_details") {
                cached = try parser.scanCachedTokens()
            } else {
                try parser.skipValue(depth: 2)
            }
        }
        return TokenUsage(openAIPromptTokens: prompt, completionTokens: completion, cachedTokens: cached)
    }

    /// `usage.prompt_tokens_details.cached_tokens`, if the details are an object holding it.
    private mutating func scanCachedTokens() throws(JSONParseError) -> Int? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            try skipValue(depth: 2)
            return nil
        }
        var cached: Int?
        try forEachMember(depth: 3) { (parser, key) throws(JSONParseError) in
            if key.is("cached_tokens") {
                cached = try parser.parseValue(depth: 3).intValue
            } else {
                try parser.skipValue(depth: 3)
            }
        }
        return cached
    }

    /// The first choice's `message`: its content and whether it called tools.
    private mutating func scanMessage(into choice: inout ChatCompletionSummary) throws(JSONParseError) {
        choice.content = nil
        choice.hasToolCalls = false
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return try skipValue(depth: 3) }
        try forEachMember(depth: 4) { (parser, key) throws(JSONParseError) in
            if key.is("content") {
                choice.content = try parser.parseStringOrSkip(depth: 4)
            } else if key.is("tool_calls") {
                choice.hasToolCalls = !(try parser.parseValue(depth: 4).arrayValue?.isEmpty ?? true)
            } else {
                try parser.skipValue(depth: 4)
            }
        }
    }
}
