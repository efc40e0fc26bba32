import Testing

@testable import SwitchyardCore

@Suite("Prices, usage and error mapping")
struct PricingAndErrorTests {
    @Test("cost counts cached input at the cached price")
    func cost() {
        let price = ModelPrice(inputPerMillion: 2.50, outputPerMillion: 10.00, cachedInputPerMillion: 1.25)
        let usage = TokenUsage(promptTokens: 1_000, completionTokens: 200, cachedPromptTokens: 400)
        // 600 × 2.50 + 400 × 1.25 + 200 × 10.00 = 1500 + 500 + 2000 = 4000 per million → $0.004
        #expect(abs(price.cost(of: usage) - 0.004) < 1e-12)
        #expect(ModelPrice(inputPerMillion: 1, outputPerMillion: 1).cachedInputPerMillion == 1)
    }

    @Test("usage is read from OpenAI's usage object")
    func usage() throws {
        let json = try JSONParser.parse(#"{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":8}}"#)
        #expect(TokenUsage(openAIUsage: json) == TokenUsage(promptTokens: 12, completionTokens: 5, cachedPromptTokens: 8))
        #expect(TokenUsage(openAIUsage: .null) == nil)
    }

    @Test("USD amounts print fixed-point", arguments: [
            (0.00003525, "0.00003525"), (1.5, "1.5"), (0, "0.0"), (12.0, "12.0"), (1e-11, "0.0"), (-0.25, "-0.25"), (-1e-12, "0.0"),
            (0.0000000001, "0.0000000001"), (123.4567890123, "123.4567890123"), (0.1 + 0.2, "0.3"),
        ])
    func formatting(amount: Double, text: String) {
        #expect(formatUSD(amount) == text)
    }

    @Test("the prompt's byte count is that of the joined prompt text")
    func promptByteCount() throws {
        let request = try ChatCompletionRequest(
            bytes: Array(#"{"model":"m","messages":[{"role":"system","content":"bé"},{"role":"user","content":"hi"},{"role":"assistant"}]}"#.utf8))
        #expect(request.promptByteCount == request.promptText.utf8.count)
        #expect(request.promptByteCount == 3 + 1 + 2 + 1 + 0)
    }

    @Test(
        "provider errors map to the caller's status and retryability",
        arguments: [
            (ProviderError.rateLimited(retryAfter: .milliseconds(1500), message: "slow down"), 429, true),
            (.timeout(message: "t"), 504, true),
            (.serverError(status: 503, message: "down"), 502, true),
            (.connectionFailed(message: "refused"), 502, true),
            (.authentication(status: 401, message: "bad key"), 502, false),
            (.contextLengthExceeded(message: "too long"), 400, false),
            (.badRequest(status: 422, message: "bad", code: "x", param: "y"), 422, false),
            (.malformedResponse(message: "junk"), 502, true),
        ])
    func mapping(error: ProviderError, status: Int, retryable: Bool) {
        #expect(error.gatewayError.status == status)
        #expect(error.isRetryable == retryable)
    }

    @Test("Retry-After is rounded up to whole seconds")
    func retryAfter() {
        #expect(ProviderError.rateLimited(retryAfter: .milliseconds(1500), message: "").gatewayError.retryAfterSeconds == 2)
        #expect(ProviderError.rateLimited(retryAfter: nil, message: "").gatewayError.retryAfterSeconds == nil)
    }

    @Test("errors serialise in OpenAI's shape")
    func errorShape() throws {
        let json = GatewayError.modelNotFound("x", available: ["a"]).json
        let error = try #require(json["error"])
        #expect(error["code"] == "model_not_found")
        #expect(error["param"] == "model")
        #expect(error["type"] == "invalid_request_error")
        #expect(error["message"]?.stringValue?.contains("'x'") == true)
    }
}
