/// Tokens consumed by one model call, as the provider reported them.
public struct TokenUsage: Sendable, Hashable {
    /// Input tokens, including cached ones.
    public var promptTokens: Int
    /// Output tokens.
    public var completionTokens: Int
    /// The part of `promptTokens` served from the provider's prompt cache.
    public var cachedPromptTokens: Int

    public init(promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    /// Reads an OpenAI `usage` object (`prompt_tokens`, `completion_tokens`,
    /// `prompt_tokens_details.cached_tokens`); `nil` when it is absent or not an object.
    public init?(openAIUsage value: JSONValue?) {
        guard let object = value?.objectValue else { return nil }
        guard let prompt = object["prompt_tokens"]?.intValue, let completion = object["completion_tokens"]?.intValue else {
            return nil
        }
        let cached = object["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0
        self.init(promptTokens: prompt, completionTokens: completion, cachedPromptTokens: min(cached, prompt))
    }

    /// Input plus output tokens.
    public var totalTokens: Int { promptTokens + completionTokens }
}
