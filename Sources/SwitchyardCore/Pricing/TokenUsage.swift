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
        self.init(
            openAIPromptTokens: object["prompt_tokens"]?.intValue, completionTokens: object["completion_tokens"]?.intValue,
            cachedTokens: object["prompt_tokens_details"]?["cached_tokens"]?.intValue)
    }

    /// The counts of an OpenAI `usage` object as they were read: `nil` unless both the prompt
    /// and the completion count are there; cached tokens count as none when absent, and never as
    /// more than the prompt.
    public init?(openAIPromptTokens prompt: Int?, completionTokens completion: Int?, cachedTokens cached: Int?) {
        guard let prompt, let completion else { return nil }
        self.init(promptTokens: prompt, completionTokens: completion, cachedPromptTokens: min(cached ?? 0, prompt))
    }

    /// Input plus output tokens.
    public var totalTokens: Int { promptTokens + completionTokens }
}
