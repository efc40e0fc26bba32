import SwitchyardCore

/// Builders shared by the gate tests.
enum GateFixtures {
    static func model(_ name: String = "small", logprobs: Bool = true) -> ModelDeployment {
        ModelDeployment(
            name: name, provider: "p", upstreamModel: name, tier: "light", price: ModelPrice(inputPerMillion: 0.1, outputPerMillion: 0.4),
            capabilities: logprobs ? [.streaming, .logprobs] : [.streaming])
    }

    static func configuration(_ routing: RoutingConfiguration? = nil) -> GatewayConfiguration {
        GatewayConfiguration(
            providers: [ProviderSettings(name: "p", baseURL: "http://127.0.0.1:1/v1")], models: [model("small"), model("large")],
            tiers: ["light", "premium"], routing: routing)
    }

    /// A chat request whose body adds `extra` to a one-message prompt.
    static func request(_ extra: JSONObject = JSONObject(), prompt: String = "question") throws -> ChatCompletionRequest {
        var body: JSONObject = ["model": "auto", "messages": [["role": "user", "content": .string(prompt)]]]
        for (key, value) in extra.entries { body[key] = value }
        return try ChatCompletionRequest(json: .object(body))
    }

    /// A request carrying `metadata.switchyard = switchyard`.
    static func request(switchyard: JSONObject, extra: JSONObject = JSONObject()) throws -> ChatCompletionRequest {
        var body = extra
        body["metadata"] = ["switchyard": .object(switchyard)]
        return try request(body)
    }

    static func parse(_ text: String) -> JSONValue {
        do { return try JSONParser.parse(text) } catch { fatalError("bad JSON in test: \(text): \(error)") }
    }
}
