import SwitchyardCore

/// The planned answer to one chat request: its tokens, usage and shape.
struct MockCompletion {
    let id: String
    let model: String
    let created: Int64
    let tokens: [MockToken]
    let promptTokens: Int
    let finishReason: String
    let includeLogprobs: Bool

    init(request: JSONObject, model: String, profile: MockModelProfile, seed: UInt64, fixedAnswer: String?, created: Int64) {
        let prompt = Self.promptText(request)
        var generator = MockTextGenerator(seed: seed, model: model, prompt: prompt)
        let maxTokens = request["max_completion_tokens"]?.intValue ?? request["max_tokens"]?.intValue
        // A model with a skill answers short-answer requests from the prompt's canonical answer.
        let shortAnswer = fixedAnswer == nil
            ? profile.skill.flatMap { MockShortAnswer(request: request, prompt: prompt, model: model, seed: seed, skill: $0) } : nil
        let answer = fixedAnswer ?? shortAnswer?.text
        let meanLogprob = shortAnswer.map { MockShortAnswer.meanLogprob(profile: profile.meanLogprob, correct: $0.correct) } ?? profile.meanLogprob
        let wanted = answer.map { MockTextGenerator.split($0).count } ?? generator.answerLength(typical: profile.outputTokens)
        var tokens = generator.tokens(count: wanted, meanLogprob: meanLogprob, fixedAnswer: answer)
        if let maxTokens, tokens.count > maxTokens {
            tokens = Array(tokens.prefix(maxTokens))
            finishReason = "length"
        } else {
            finishReason = "stop"
        }
        self.id = "chatcmpl-mock-\(String(fnv1a(prompt, seed: seed), radix: 16))"
        self.model = model
        self.created = created
        self.tokens = tokens
        self.promptTokens = estimatedTokens(prompt) + 4 * (request["messages"]?.arrayValue?.count ?? 1)
        self.includeLogprobs = request["logprobs"]?.boolValue ?? false
    }

    static func promptText(_ request: JSONObject) -> String {
        (request["messages"]?.arrayValue ?? []).map { message in
            if let text = message["content"]?.stringValue { return text }
            return (message["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    var content: String { tokens.map(\.text).joined() }

    var usage: JSONValue {
        [
            "prompt_tokens": .int(Int64(promptTokens)),
            "completion_tokens": .int(Int64(tokens.count)),
            "total_tokens": .int(Int64(promptTokens + tokens.count)),
        ]
    }

    func logprobs(_ tokens: ArraySlice<MockToken>) -> JSONValue {
        guard includeLogprobs else { return .null }
        return [
            "content": .array(tokens.map { token in
                [
                    "token": .string(token.text),
                    "logprob": .double(token.logprob),
                    "bytes": .array(token.text.utf8.map { .int(Int64($0)) }),
                    "top_logprobs": [],
                ]
            })
        ]
    }

    /// The whole `chat.completion` object.
    var completionObject: JSONValue {
        [
            "id": .string(id),
            "object": "chat.completion",
            "created": .int(created),
            "model": .string(model),
            "system_fingerprint": "switchyard-mock",
            "choices": [
                [
                    "index": 0,
                    "message": ["role": "assistant", "content": .string(content), "refusal": nil],
                    "logprobs": logprobs(tokens[...]),
                    "finish_reason": .string(finishReason),
                ]
            ],
            "usage": usage,
        ]
    }

    /// One `chat.completion.chunk`.
    func chunk(delta: JSONValue, tokens: ArraySlice<MockToken>, finishReason: String?, usageNull: Bool) -> JSONValue {
        let choice: JSONValue = [
            "index": 0, "delta": delta, "logprobs": logprobs(tokens),
            "finish_reason": finishReason.map(JSONValue.string) ?? .null,
        ]
        var object = JSONObject()
        object["id"] = .string(id)
        object["object"] = "chat.completion.chunk"
        object["created"] = .int(created)
        object["model"] = .string(model)
        object["system_fingerprint"] = "switchyard-mock"
        object["choices"] = [choice]
        if usageNull { object["usage"] = .null }
        return .object(object)
    }

    /// The final usage-only chunk sent when the client asked for `stream_options.include_usage`.
    var usageChunk: JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
            "system_fingerprint": "switchyard-mock", "choices": [], "usage": usage,
        ]
    }
}
