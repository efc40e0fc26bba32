import Testing

@testable import SwitchyardConfig
@testable import SwitchyardCore
@testable import SwitchyardMock

@Suite("Simulated provider")
struct MockProviderTests {
    @Test(
        "fault headers parse",
        arguments: [
            ("429;retry-after=2", [MockFault.status(429, retryAfterSeconds: 2)]),
            ("429", [.status(429, retryAfterSeconds: 1)]),
            ("503", [.status(503, retryAfterSeconds: nil)]),
            ("hang", [.hang]),
            ("cut-after=5", [.cut(afterChunks: 5)]),
            ("malformed", [.malformed]),
            ("context-length", [.contextLength]),
            ("error-event=429", [.errorEvent(status: 429)]),
            ("delay=250, 500", [.delay(.milliseconds(250)), .status(500, retryAfterSeconds: nil)]),
        ])
    func parsesFaults(header: String, faults: [MockFault]) throws {
        #expect(try MockFault.parse(header: header) == faults)
    }

    @Test("qualifiers target one model and limit how often a fault applies")
    func faultRules() throws {
        let rules = try MockFaultRule.parse(header: "503;model=sim-light;times=2;id=t1, delay=50")
        #expect(rules == [
            MockFaultRule(fault: .status(503, retryAfterSeconds: nil), model: "sim-light", times: 2),
            MockFaultRule(fault: .delay(.milliseconds(50)), model: nil, times: nil),
        ])
        let counter = FaultCounter()
        #expect([counter.claim(key: "k", limit: 2), counter.claim(key: "k", limit: 2), counter.claim(key: "k", limit: 2)] == [true, true, false])
        #expect(counter.claim(key: "other", limit: 1))
    }

    @Test("unknown faults are rejected with the list of valid ones", arguments: ["teapot", "200", "delay=-1", ""])
    func rejectsUnknownFaults(header: String) {
        #expect(throws: MockFaultParseError.self) { try MockFault.parse(header: header) }
    }

    @Test("answers are deterministic for the same seed, model and prompt, and differ otherwise")
    func deterministic() {
        let request: JSONObject = ["model": "m", "messages": [["role": "user", "content": "hello"]]]
        let profile = MockModelProfile()
        let first = MockCompletion(request: request, model: "m", profile: profile, seed: 1, fixedAnswer: nil, created: 0)
        let again = MockCompletion(request: request, model: "m", profile: profile, seed: 1, fixedAnswer: nil, created: 0)
        let otherSeed = MockCompletion(request: request, model: "m", profile: profile, seed: 2, fixedAnswer: nil, created: 0)
        #expect(first.content == again.content)
        #expect(first.content != otherSeed.content)
        #expect(first.tokens.count >= profile.outputTokens / 2 && first.tokens.count <= profile.outputTokens * 3 / 2 + 1)
    }

    @Test("max_tokens truncates with finish_reason length; a fixed answer is returned verbatim")
    func truncationAndFixedAnswer() {
        let request: JSONObject = ["model": "m", "max_tokens": 3, "messages": [["role": "user", "content": "hello"]]]
        let truncated = MockCompletion(request: request, model: "m", profile: MockModelProfile(outputTokens: 40), seed: 1, fixedAnswer: nil, created: 0)
        #expect(truncated.tokens.count == 3)
        #expect(truncated.finishReason == "length")
        let fixed = MockCompletion(
            request: ["model": "m", "messages": []], model: "m", profile: MockModelProfile(), seed: 1, fixedAnswer: "The answer is 42.", created: 0)
        #expect(fixed.content == "The answer is 42.")
        #expect(fixed.finishReason == "stop")
    }

    @Test("logprobs follow the profile's confidence")
    func logprobs() {
        let request: JSONObject = ["model": "m", "logprobs": true, "messages": [["role": "user", "content": "hello"]]]
        let confident = MockCompletion(request: request, model: "m", profile: MockModelProfile(meanLogprob: -0.05), seed: 1, fixedAnswer: nil, created: 0)
        let unsure = MockCompletion(request: request, model: "m", profile: MockModelProfile(meanLogprob: -2.0), seed: 1, fixedAnswer: nil, created: 0)
        func mean(_ completion: MockCompletion) -> Double { completion.tokens.map(\.logprob).reduce(0, +) / Double(completion.tokens.count) }
        #expect(mean(confident) > -0.1)
        #expect(mean(unsure) < -1.0)
        #expect(confident.completionObject["choices"]?.arrayValue?.first?["logprobs"]?["content"]?.arrayValue?.count == confident.tokens.count)
    }

    @Test("fault rates draw roughly the configured share")
    func faultRates() {
        let dice = FaultDice(seed: 9)
        let draws = (0..<10_000).compactMap { _ in dice.draw([.rateLimit: 0.3]) }
        #expect((2_700...3_300).contains(draws.count))
    }

    @Test("profiles load from YAML; mistakes name line and key")
    func profileYAML() throws {
        let profile = try MockProfile.parse(yaml: """
            seed: 5
            default: { ttft: 10ms, tokens_per_second: 0, output_tokens: 12 }
            models:
              instant: { ttft: 0ms }
              flaky: { faults: { rate_limit: 0.2, hang: 0.01 }, mean_logprob: -1.5 }
            """, file: "profile.yaml")
        #expect(profile.seed == 5)
        #expect(profile.defaultModel.timeToFirstToken == .milliseconds(10))
        #expect(profile.models["flaky"]?.faultRates == [.rateLimit: 0.2, .hang: 0.01])
        #expect(profile.models["flaky"]?.outputTokens == 12)
        #expect(profile.models["instant"]?.timeToFirstToken == .zero)
        do {
            _ = try MockProfile.parse(yaml: "models:\n  m: { faults: { rate_limt: 0.2 } }\n", file: "bad.yaml")
            Issue.record("accepted a typo")
        } catch {
            #expect(error.issues.first?.line == 2)
            #expect(error.issues.first?.path == "models.m.faults.rate_limt")
            #expect(error.issues.first?.message.contains("rate_limit") == true)
        }
    }
}
