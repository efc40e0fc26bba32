import Benchmark
import Foundation
import SwitchyardCore

/// A four-tier gateway with a policy that exercises every modifier (user tiers, residency, two
/// time windows, budget stress, sessions).
func benchmarkConfiguration() -> GatewayConfiguration {
    func model(_ name: String, _ provider: String, _ tier: String, _ input: Double, _ output: Double) -> ModelDeployment {
        ModelDeployment(name: name, provider: provider, upstreamModel: name, tier: tier, price: ModelPrice(inputPerMillion: input, outputPerMillion: output))
    }
    var routing = RoutingConfiguration.defaults(tiers: ["light", "mid", "premium"])
    routing.policy.userTiers[.free] = UserTierPolicy(floor: "light", ceiling: "mid", escalation: false)
    routing.policy.residency = [.restricted: ResidencyRule(regions: ["eu"])]
    routing.policy.timeWindows = [
        TimeWindow(
            name: "berlin-business-hours", timeZone: TimeZone(identifier: "Europe/Berlin")!, days: [.mon, .tue, .wed, .thu, .fri],
            fromMinute: 540, toMinute: 1080, userTiers: [.free], ceiling: "light"),
        TimeWindow(name: "openai-maintenance", timeZone: TimeZone(identifier: "UTC")!, days: [.sun], fromMinute: 120, toMinute: 240, excludeProviders: ["openai"]),
    ]
    routing.policy.budgetStress = [BudgetStressRule(above: 0.9, ceiling: "light", escalation: false)]
    return GatewayConfiguration(
        providers: [
            ProviderSettings(name: "openai", baseURL: "https://api.openai.com/v1", region: "us"),
            ProviderSettings(name: "mistral", baseURL: "https://api.mistral.ai/v1", region: "eu"),
            ProviderSettings(name: "ollama", baseURL: "http://127.0.0.1:11434/v1", region: "local"),
        ],
        models: [
            model("gpt-4.1-nano", "openai", "light", 0.10, 0.40), model("mistral-small", "mistral", "light", 0.2, 0.6),
            model("gpt-4.1-mini", "openai", "mid", 0.40, 1.60), model("mistral-medium", "mistral", "mid", 0.4, 2.0),
            model("gpt-4.1", "openai", "premium", 2.0, 8.0), model("mistral-large", "mistral", "premium", 2.0, 6.0),
            model("llama-local", "ollama", "local", 0, 0),
        ],
        tiers: ["local", "light", "mid", "premium"], routing: routing)
}

/// ≈4,000 characters (≈1,000 tokens): a system prompt, a code review request with a stack trace
/// and a pasted function, and constraints on the answer.
let thousandTokenPrompt: [ChatMessage] = {
    let system = "You are a senior backend engineer reviewing pull requests for a payments company. Be precise and cite line numbers."
    let context = """
        We process card payments through a ledger service written in Swift. Since last week's deploy, some refunds are booked \
        twice when the upstream processor times out and our retry logic kicks in. Below is the stack trace we see in production, \
        followed by the function that books refunds. Please analyze the root cause step by step, compare two possible fixes \
        (an idempotency key on the processor call versus a unique constraint in the ledger table), explain why one is safer under \
        concurrency, and then refactor the function accordingly. You must keep the public signature unchanged, do not introduce new \
        dependencies, and include at least two unit tests that reproduce the double booking. The answer should be detailed but \
        must not exceed 800 words of prose outside the code.

        Stack trace:
        Fatal error: duplicate ledger entry for refund 8f2c1e at LedgerService.swift:214
        0  LedgerService.bookRefund(_:amount:currency:) + 412
        1  RefundController.handle(_:) + 188
        2  RetryPolicy.run(_:) + 96
        3  closure #1 in Router.register() + 64

        ```swift
        func bookRefund(_ payment: Payment, amount: Decimal, currency: Currency) async throws -> LedgerEntry {
            let entry = LedgerEntry(id: UUID(), payment: payment.id, amount: -amount, currency: currency, kind: .refund)
            try await retry(times: 3, backoff: .exponential(base: .milliseconds(200))) {
                try await processor.refund(payment.processorReference, amount: amount, currency: currency)
            }
            try await ledger.insert(entry)
            await metrics.increment("refunds.booked", tags: ["currency": currency.code])
            return entry
        }
        ```

        """
    let filler = """
        For context, the ledger table has columns id, payment_id, amount, currency, kind and created_at; refunds are negative \
        amounts. The processor returns HTTP 504 after 30 seconds under load, but the refund may still have been executed. \
        Our retry helper retries on any thrown error, including timeouts. Operations asked whether partial refunds are affected too.

        """
    var text = context
    while system.utf8.count + text.utf8.count < 3_900 { text += filler }
    return [ChatMessage(role: "system", text: system), ChatMessage(role: "user", text: text)]
}()

/// ≈2,000 characters of an ordinary answer (no refusal or hedge phrase, so the `refusal` gate
/// reads all of it), with curly quotes and line breaks for the folding to handle.
let twoThousandCharacterAnswer: String = {
    let paragraph = """
        The double booking comes from the retry wrapping the processor call while the ledger insert sits outside it: \
        when the processor times out after executing the refund, the retry sends it again, and each attempt that \
        “succeeds” books its own entry. An idempotency key derived from the refund’s id makes the processor treat the \
        retries as one call; a unique constraint on (payment_id, kind, amount) stops a second row but not a second refund.

        """
    var text = ""
    while text.utf8.count < 2_000 { text += paragraph }
    return text
}()

/// A chat request as an agent sends it: four short messages and twenty tools whose JSON-schema
/// parameters total ≈20 KB, which routing does not read.
let agentRequestBody: [UInt8] = {
    let tool = #"{"type":"function","function":{"name":"lookup_NAME","description":"Looks up a record in the billing system by its identifier and returns the fields the caller asks for, with their last-modified times.","parameters":{"type":"object","properties":{"id":{"type":"string","description":"The record's identifier, e.g. inv_2024_000123."},"fields":{"type":"array","items":{"type":"string","enum":["amount","currency","status","customer","created_at","updated_at","line_items","tax","discounts","notes"]},"description":"Which fields to return; all when omitted."},"include_history":{"type":"boolean","description":"Whether to include the record's change history."},"limit":{"type":"integer","minimum":1,"maximum":100,"description":"How many history entries at most."}},"required":["id"],"additionalProperties":false}}}"#
    var tools: [String] = []
    var index = 0
    while tools.joined(separator: ",").utf8.count < 20_000 {
        tools.append(tool.replacingOccurrences(of: "NAME", with: String(index)))
        index += 1
    }
    let body = #"{"model":"auto","messages":[{"role":"system","content":"You are the billing assistant. Use the tools to answer."},{"role":"user","content":"Why was invoice inv_2024_000123 charged twice?"},{"role":"assistant","content":"Let me look that up."},{"role":"user","content":"Also check the refund status."}],"tools":["#
        + tools.joined(separator: ",") + #"],"tool_choice":"auto","temperature":0.2}"#
    return Array(body.utf8)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput], timeUnits: .nanoseconds, warmupIterations: 1_000,
        scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 200_000)

    let engine = RoutingEngine(configuration: benchmarkConfiguration())
    let request = RoutingRequest(model: "auto", messages: thousandTokenPrompt, maxOutputTokens: 2_000)
    let context = RoutingContext(
        decisionID: "bench", tenant: "acme", userTier: .pro, allowedRegions: nil, now: Date(timeIntervalSince1970: 1_774_000_000),
        budgetUtilization: 0.42, unavailableDeployments: ["mistral-small"])
    let promptBytes = thousandTokenPrompt.reduce(0) { $0 + $1.text.utf8.count }
    precondition(promptBytes >= 3_900 && promptBytes <= 4_400, "prompt is \(promptBytes) bytes, expected ≈4,000")

    Benchmark("route: classify+policy, 1000-token prompt") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try engine.route(request, context: context))
        }
    }

    Benchmark("classify only, 1000-token prompt") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try engine.classify(request))
        }
    }

    let gates = GateEvaluator(configuration: benchmarkConfiguration())
    let gatedModel = benchmarkConfiguration().models[0]
    let gatedRequest = try! ChatCompletionRequest(bytes: Array(#"{"model":"auto","messages":[{"role":"user","content":"Summarize the incident."}]}"#.utf8))
    let answer = GateInput(content: twoThousandCharacterAnswer, finishReason: "stop", task: "summarize", request: gatedRequest)
    precondition(gates.evaluate(answer, model: gatedModel).passed, "the benchmark answer must pass its gates")

    Benchmark("gates: summarize's default gates, 2,000-character answer") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(gates.evaluate(answer, model: gatedModel))
        }
    }

    Benchmark("parse a chat request with 20 KB of tools") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ChatCompletionRequest(bytes: agentRequestBody))
        }
    }

    let longPromptBody = Array(JSONWriter.bytes(.object([
        "model": "auto",
        "messages": .array(thousandTokenPrompt.map { .object(["role": .string($0.role), "content": .string($0.text)]) }),
    ])))
    Benchmark("parse a chat request with a 1000-token prompt") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ChatCompletionRequest(bytes: longPromptBody))
        }
    }

    let answerBody = JSONWriter.bytes(.object([
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_796_000_000, "model": "gpt-4.1-mini",
        "choices": .array([.object([
            "index": 0, "message": .object(["role": "assistant", "content": .string(twoThousandCharacterAnswer), "refusal": .null]),
            "logprobs": .null, "finish_reason": "stop",
        ])]),
        "usage": .object(["prompt_tokens": 1_000, "completion_tokens": 450, "total_tokens": 1_450]),
    ]))
    Benchmark("read a provider's answer of 2,000 characters") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONParser.scanChatCompletion(answerBody))
        }
    }

    // A streamed answer as providers send it: the role, 66 words, the finish reason and the usage
    // chunk, then the end marker.
    let streamBytes: [UInt8] = {
        func chunk(_ delta: String, finish: String = "null", usage: String = "null", choices: Bool = true) -> String {
            let choice = #"{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finish)}"#
            return "data: " + #"{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1796000000,"model":"gpt-4.1-mini","system_fingerprint":"fp_b376dfbbd5","choices":[\#(choices ? choice : "")],"usage":\#(usage)}"# + "\n\n"
        }
        var text = chunk(#"{"role":"assistant","content":"","refusal":null}"#)
        for word in twoThousandCharacterAnswer.split(separator: " ").prefix(66) { text += chunk(#"{"content":" \#(word)"}"#) }
        text += chunk("{}", finish: #""stop""#)
        text += chunk("", usage: #"{"prompt_tokens":1000,"completion_tokens":67,"total_tokens":1067}"#, choices: false)
        return Array((text + "data: [DONE]\n\n").utf8)
    }()
    Benchmark("stream of 69 chunks: find and check the events in place") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(streamBytes.withUnsafeBufferPointer { buffer in
                var offset = 0
                var plain = 0
                var usage: TokenUsage?
                while let event = SimpleDataEvent.at(offset, in: buffer) {
                    let value = UnsafeBufferPointer(rebasing: buffer[event.value])
                    if SimpleDataEvent.isPlainChatChunk(value) {
                        plain += 1
                    } else if !value.elementsEqual("[DONE]".utf8) {
                        usage = ChatStreamChunk(data: String(decoding: value, as: UTF8.self))?.usage
                    }
                    offset = event.end
                }
                return (plain, usage)
            })
        }
    }

    Benchmark("stream of 69 chunks: the standard parser, a chunk per event") { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = ServerSentEventParser()
            var usage: TokenUsage?
            for event in try parser.feed(streamBytes) where !event.isDone {
                guard JSONKeyScanner.looksLikeObject(event.data), !JSONKeyScanner.mayHaveMember("error", in: event.data) else { continue }
                usage = ChatStreamChunk(data: event.data)?.usage ?? usage
            }
            blackHole(usage)
        }
    }

    Benchmark("route: classify+policy, 40-token prompt") { benchmark in
        let short = RoutingRequest(model: "auto", messages: [ChatMessage(role: "user", text: "Design a multi-region architecture for our ledger; compare the trade-offs.")])
        for _ in benchmark.scaledIterations {
            blackHole(try engine.route(short, context: context))
        }
    }
}
