/// The configurations `serve --demo` runs with: three tiers, priced like real models of each class.
///
/// Without provider credentials the tiers are simulated in-process by `SwitchyardMock`; with
/// `OPENAI_API_KEY` they are OpenAI models, with `OLLAMA_HOST` local Ollama models.
enum DemoConfiguration {
    enum Backend: String {
        case simulated, openai, ollama

        /// OpenAI if its key is set, else Ollama if its host is set, else the simulator.
        static func detect(environment: [String: String]) -> Backend {
            if let key = environment["OPENAI_API_KEY"], !key.isEmpty { return .openai }
            if let host = environment["OLLAMA_HOST"], !host.isEmpty { return .ollama }
            return .simulated
        }
    }

    /// Public model names of the demo, cheapest first.
    static let modelNames = ["demo-light", "demo-mid", "demo-premium"]

    static func yaml(for backend: Backend) -> String {
        switch backend {
        case .simulated: return simulated
        case .openai: return openAI
        case .ollama: return ollama
        }
    }

    /// Served by the in-process simulator; `${SWITCHYARD_MOCK_URL}` is filled in at start.
    static let simulated = """
        # switchyard serve --demo: three simulated tiers, priced like real models of each class.
        server:
          host: ${SWITCHYARD_HOST:-127.0.0.1}
          port: ${SWITCHYARD_PORT:-8080}
          max_body_bytes: 16MiB
          # The admin API (review queue, stats) is on only with a key: SWITCHYARD_ADMIN_KEY=<16+ chars>.
          admin_key: ${SWITCHYARD_ADMIN_KEY:-}
        tiers: [light, mid, premium]
        providers:
          - name: simulated
            kind: openai
            base_url: ${SWITCHYARD_MOCK_URL}
            region: local
            timeout: 60s
            # Lets callers inject faults into the simulator, e.g. -H 'x-mock-fault: 429'.
            forward_headers: ["x-mock-*"]
        models:
          - name: demo-light          # priced like gpt-4o-mini
            provider: simulated
            fallbacks: [demo-mid, demo-premium]
            upstream_model: sim-light
            tier: light
            price: { input: 0.15, output: 0.60, cached_input: 0.075 }
            context_window: 128000
            max_output_tokens: 16384
            capabilities: [logprobs, json, tools, streaming]
          - name: demo-mid            # priced like gpt-4.1-mini
            provider: simulated
            fallbacks: [demo-premium]
            upstream_model: sim-mid
            tier: mid
            price: { input: 0.40, output: 1.60, cached_input: 0.10 }
            context_window: 1047576
            max_output_tokens: 32768
            capabilities: [logprobs, json, tools, streaming]
          - name: demo-premium        # priced like gpt-4o
            provider: simulated
            upstream_model: sim-premium
            tier: premium
            price: { input: 2.50, output: 10.00, cached_input: 1.25 }
            context_window: 128000
            max_output_tokens: 16384
            capabilities: [logprobs, json, tools, streaming]
        """

    static let openAI = """
        # switchyard serve --demo with OPENAI_API_KEY set: the three tiers are real OpenAI models.
        server:
          host: ${SWITCHYARD_HOST:-127.0.0.1}
          port: ${SWITCHYARD_PORT:-8080}
        tiers: [light, mid, premium]
        providers:
          - name: openai
            kind: openai
            base_url: ${OPENAI_BASE_URL:-https://api.openai.com/v1}
            api_key: ${OPENAI_API_KEY}
            region: us
        models:
          - name: demo-light
            provider: openai
            upstream_model: gpt-4.1-nano
            tier: light
            price: { input: 0.10, output: 0.40, cached_input: 0.025 }
            context_window: 1047576
            max_output_tokens: 32768
            capabilities: [logprobs, json, tools, streaming]
          - name: demo-mid
            provider: openai
            upstream_model: gpt-4.1-mini
            tier: mid
            price: { input: 0.40, output: 1.60, cached_input: 0.10 }
            context_window: 1047576
            max_output_tokens: 32768
            capabilities: [logprobs, json, tools, streaming]
          - name: demo-premium
            provider: openai
            upstream_model: gpt-4.1
            tier: premium
            price: { input: 2.00, output: 8.00, cached_input: 0.50 }
            context_window: 1047576
            max_output_tokens: 32768
            capabilities: [logprobs, json, tools, streaming]
        """

    static let ollama = """
        # switchyard serve --demo with OLLAMA_HOST set: the three tiers are local Ollama models (free).
        server:
          host: ${SWITCHYARD_HOST:-127.0.0.1}
          port: ${SWITCHYARD_PORT:-8080}
        tiers: [light, mid, premium]
        providers:
          - name: ollama
            kind: openai
            base_url: ${SWITCHYARD_OLLAMA_URL}
            region: local
            timeout: 300s
        models:
          - name: demo-light
            provider: ollama
            upstream_model: ${SWITCHYARD_OLLAMA_LIGHT:-llama3.2:1b}
            tier: light
            price: { input: 0, output: 0 }
            context_window: 131072
            max_output_tokens: 8192
            capabilities: [logprobs, json, streaming]
          - name: demo-mid
            provider: ollama
            upstream_model: ${SWITCHYARD_OLLAMA_MID:-llama3.1:8b}
            tier: mid
            price: { input: 0, output: 0 }
            context_window: 131072
            max_output_tokens: 8192
            capabilities: [logprobs, json, tools, streaming]
          - name: demo-premium
            provider: ollama
            upstream_model: ${SWITCHYARD_OLLAMA_PREMIUM:-qwen2.5:32b}
            tier: premium
            price: { input: 0, output: 0 }
            context_window: 32768
            max_output_tokens: 8192
            capabilities: [logprobs, json, tools, streaming]
        """

    /// Ollama's OpenAI-compatible URL from `OLLAMA_HOST` (`host:port`, or a URL).
    static func ollamaURL(host: String) -> String {
        var url = host.contains("://") ? host : "http://\(host)"
        while url.hasSuffix("/") { url.removeLast() }
        if !url.dropFirst(url.hasPrefix("https") ? 8 : 7).contains(":") { url += ":11434" }
        return url + "/v1"
    }
}
