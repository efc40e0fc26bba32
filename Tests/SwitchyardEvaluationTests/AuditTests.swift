import SwitchyardCore
import SwitchyardEvaluation
import Testing

/// The audit's pure parts on cases small enough to check by hand: reading prompt files, sampling,
/// comparing answers, percentiles, aggregation and the recommendation rule, rendering.
@Suite struct AuditTests {
    // MARK: Comparing answers

    @Test(arguments: [
        ("  Positive. ", "positive"), ("Yes!", "yes"), ("\"Billing\"", "billing"), ("The   answer\nis 42.", "the answer is 42"),
        ("3.5", "3.5"), ("ok?!", "ok"), ("`refund`.", "refund"), ("", ""),
    ])
    func normalisation(text: String, expected: String) {
        #expect(AnswerComparison.normalize(text) == expected)
    }

    @Test func jsonEqualityIgnoresKeyOrderSpacingAndNumberSpelling() throws {
        let a = try #require(AnswerComparison.json(#"{"a": 1, "b": [1, 2]}"#))
        let b = try #require(AnswerComparison.json("```json\n{\"b\":[1,2.0],\"a\":1}\n```"))
        #expect(AnswerComparison.jsonEqual(a, b))
        #expect(!AnswerComparison.jsonEqual(try #require(AnswerComparison.json("[1, 2]")), try #require(AnswerComparison.json("[2, 1]"))))
        #expect(!AnswerComparison.jsonEqual(try #require(AnswerComparison.json(#"{"a": 1}"#)), try #require(AnswerComparison.json(#"{"a": 1, "b": null}"#))))
        #expect(AnswerComparison.json("positive") == nil)
        #expect(AnswerComparison.json("42") == nil)  // scalars are text, not JSON answers
    }

    /// `metric:verdict` of a pair, e.g. `json:true` (`nil` when embeddings must decide).
    static func judged(_ a: String, _ b: String, _ mode: AgreementMode) -> String {
        let verdict = AnswerComparison.judge(a, b, mode: mode)
        return "\(verdict.metric.rawValue):\(verdict.agrees.map { String($0) } ?? "nil")"
    }

    @Test func modesPickTheirMetric() {
        let jsonPair = (#"{"answer": "yes", "value": 3}"#, #"{"value":3,"answer":"yes"}"#)
        #expect(Self.judged(jsonPair.0, jsonPair.1, .auto) == "json:true")
        #expect(Self.judged(jsonPair.0, jsonPair.1, .exact) == "exact:false")
        #expect(Self.judged("Positive.", "positive", .auto) == "exact:true")
        #expect(Self.judged("Positive.", "positive", .json) == "json:false")
        #expect(Self.judged("Positive.", "positive", .embedding) == "embedding:true")
        #expect(Self.judged("Positive.", "upbeat", .embedding) == "embedding:nil")
    }

    // MARK: Statistics

    @Test func percentilesInterpolateBetweenClosestRanks() {
        let values: [Double] = [40, 10, 30, 20]
        #expect(AuditStatistics.percentile(values, 0.5) == 25)  // h = 1.5 → 20 + 0.5 × 10
        #expect(abs(AuditStatistics.percentile(values, 0.95)! - 38.5) < 1e-9)  // h = 2.85 → 30 + 0.85 × 10
        #expect(AuditStatistics.percentile(values, 0) == 10)
        #expect(AuditStatistics.percentile(values, 1) == 40)
        #expect(AuditStatistics.percentile([7], 0.95) == 7)
        #expect(AuditStatistics.percentile([], 0.5) == nil)
    }

    @Test func cosine() {
        #expect(AuditStatistics.cosine([1, 0], [0, 1]) == 0)
        #expect(abs(AuditStatistics.cosine([1, 2], [2, 4])! - 1) < 1e-12)
        #expect(abs(AuditStatistics.cosine([1, 0], [1, 1])! - 0.5.squareRoot()) < 1e-12)
        #expect(AuditStatistics.cosine([0, 0], [1, 1]) == nil)
        #expect(AuditStatistics.cosine([1], [1, 1]) == nil)
    }

    // MARK: Prompt files and sampling

    @Test func readsPromptsWithOptionalFields() throws {
        let text = """
            {"type": "label", "prompt": "Classify: great", "max_tokens": 5}

            {"type": "extract", "prompt": "Extract", "system": "Be brief.", "temperature": 0, "response_format": {"type": "json_object"}}
            """
        let prompts = try AuditPromptReader().parse(Array(text.utf8), file: "p.jsonl")
        #expect(prompts.count == 2)
        #expect(prompts[0] == AuditPrompt(type: "label", prompt: "Classify: great", maxTokens: 5, line: 1))
        #expect(prompts[1].line == 3 && prompts[1].system == "Be brief." && prompts[1].temperature == 0)
        let body = prompts[1].requestBody(model: "m", seed: 7)
        #expect(body["model"] == "m" && body["logprobs"] == true && body["seed"] == 7)
        #expect(body["response_format"]?["type"] == "json_object")
        #expect(body["messages"]?.arrayValue?.map { $0["role"] } == ["system", "user"])
        #expect(prompts[0].requestBody(model: "m", seed: nil)["max_tokens"] == 5)
    }

    @Test(arguments: [
        (#"{"prompt": "p"}"#, "p.jsonl:2: field 'type': missing"),
        (#"{"type": 3, "prompt": "p"}"#, "p.jsonl:2: field 'type': expected a string, got number"),
        (#"{"type": "t", "prompt": "p", "max_tokens": "5"}"#, "p.jsonl:2: field 'max_tokens': expected a positive integer"),
        (#"{"type": "t", "promt": "p"}"#, "p.jsonl:2: field 'promt': unknown field"),
        (#"{"type": "t", "prompt": "p", "response_format": "json"}"#, "p.jsonl:2: field 'response_format'"),
        (#"{"type": "t", "prompt": "#, "p.jsonl:2: invalid JSON"),
        (#"["t", "p"]"#, "p.jsonl:2: expected a JSON object, got array"),
    ])
    func badLinesNameFileLineAndField(line: String, expected: String) {
        let text = #"{"type": "t", "prompt": "fine"}"# + "\n" + line
        do {
            _ = try AuditPromptReader().parse(Array(text.utf8), file: "p.jsonl")
            Issue.record("no error for \(line)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func emptyFileIsAnError() {
        #expect(throws: EvaluationError.self) { try AuditPromptReader().parse(Array("\n\n".utf8), file: "e.jsonl") }
    }

    @Test func samplingCyclesThroughEachTypesPromptsWithDistinctSeeds() {
        let prompts = [
            AuditPrompt(type: "a", prompt: "a1"), AuditPrompt(type: "b", prompt: "b1"), AuditPrompt(type: "a", prompt: "a2"),
            AuditPrompt(type: "a", prompt: "a3"),
        ]
        let plan = AuditSampler(samplesPerType: 5, seed: 1).samples(prompts)
        #expect(plan.map(\.type) == ["a", "b"])
        #expect(plan[0].samples.count == 5 && plan[1].samples.count == 5)
        #expect(Set(plan[0].samples.map(\.prompt.prompt)) == ["a1", "a2", "a3"])
        #expect(Set(plan[0].samples.prefix(3).map(\.prompt.prompt)).count == 3)  // every prompt before any repeats
        #expect(Set(plan[0].samples.map(\.seed)).count == 5)
        #expect(plan[1].samples.allSatisfy { $0.prompt.prompt == "b1" })
        let again = AuditSampler(samplesPerType: 5, seed: 1).samples(prompts)
        #expect(again[0].samples == plan[0].samples)
        let fewer = AuditSampler(samplesPerType: 2, seed: 1).samples(prompts)
        #expect(Set(fewer[0].samples.map(\.prompt.prompt)).count == 2)
    }

    // MARK: Aggregation and the rule

    /// Ten samples: current answers take 100…1000 ms, cost $0.002 and have logprob −0.1; the
    /// candidate 10…100 ms, $0.0002, −0.3; they agree on the first `agreeing`.
    static func pairs(agreeing: Int, candidateFailures: Int = 0, candidateCost: Double = 0.0002, candidateLogprob: Double = -0.3) -> [AuditPairResult] {
        (0..<10).map { index in
            let sample = AuditSample(prompt: AuditPrompt(type: "t", prompt: "p\(index)"), index: index, seed: index)
            let current = AuditAnswer(text: "yes", latencyMS: Double(index + 1) * 100, costUSD: 0.002, meanLogprob: -0.1)
            let candidate: Result<AuditAnswer, AuditFailure> =
                index < candidateFailures
                ? .failure(AuditFailure(category: "HTTP 429", message: "'cand': HTTP 429: slow down"))
                : .success(AuditAnswer(text: index < agreeing ? "Yes." : "no", latencyMS: Double(index + 1) * 10, costUSD: candidateCost, meanLogprob: candidateLogprob))
            var pair = AuditPairResult(sample: sample, current: .success(current), candidate: candidate)
            if case .success(let answer) = candidate {
                pair.metric = .exact
                pair.agrees = AnswerComparison.normalize(answer.text) == "yes"
            }
            return pair
        }
    }

    static let aggregator = AuditAggregator(currentModel: "cur", candidateModel: "cand", criteria: AuditCriteria())

    @Test func aggregatesAHandComputedType() throws {
        let report = Self.aggregator.report(type: "t", prompts: 10, pairs: Self.pairs(agreeing: 9))
        #expect(report.samples == 10 && report.comparedSamples == 10 && report.agreeingSamples == 9)
        #expect(report.agreement == 0.9)
        #expect(report.metrics == ["exact": 10])
        #expect(report.current.latencyP50MS == 550)
        #expect(abs(report.current.latencyP95MS! - 955) < 1e-9)  // h = 8.55 → 900 + 0.55 × 100
        #expect(abs(report.candidate.latencyP50MS! - 55) < 1e-9)
        #expect(abs(report.current.costPer1kUSD! - 2) < 1e-12 && abs(report.candidate.costPer1kUSD! - 0.2) < 1e-12)
        #expect(abs(report.savings! - 0.9) < 1e-12)
        #expect(abs(report.confidenceGap! - 0.2) < 1e-12)
        #expect(report.recommendation.decision == .downgrade)
        #expect(report.recommendation.reason == "agreement 90 % ≥ 90 %, gap 0.20 ≤ 0.50, 90 % cheaper")
    }

    @Test func keepsWithTheFirstFailingCheckAsReason() {
        func verdict(_ pairs: [AuditPairResult]) -> AuditRecommendation { Self.aggregator.report(type: "t", prompts: 10, pairs: pairs).recommendation }
        #expect(verdict(Self.pairs(agreeing: 8)) == AuditRecommendation(decision: .keep, reason: "agreement 80 % < 90 %"))
        #expect(verdict(Self.pairs(agreeing: 10, candidateLogprob: -0.7)) == AuditRecommendation(decision: .keep, reason: "candidate less confident: gap 0.60 > 0.50 nats/token"))
        #expect(verdict(Self.pairs(agreeing: 10, candidateCost: 0.003)).reason == "candidate not cheaper ($3.000 vs $2.000 per 1k requests)")
        #expect(verdict(Self.pairs(agreeing: 10, candidateFailures: 2)).reason == "candidate failed 2 of 10 requests (current 0)")
        #expect(verdict(Array(Self.pairs(agreeing: 10).prefix(4))).reason == "only 4 of 4 samples got answers from both models (need 5)")
    }

    @Test func failuresAreCountedPerModelAndCategory() {
        let report = Self.aggregator.report(type: "t", prompts: 10, pairs: Self.pairs(agreeing: 10, candidateFailures: 2))
        #expect(report.candidate.failures == 2 && report.current.failures == 0)
        #expect(report.comparedSamples == 8 && report.agreement == 1)
        #expect(report.failures == ["candidate: HTTP 429": 2])
        #expect(report.failureExamples["candidate: HTTP 429"] == "'cand': HTTP 429: slow down")
    }

    // MARK: The runner, over a fake backend

    struct FakeBackend: AuditBackend {
        func complete(_ sample: AuditSample, model: String) async -> Result<AuditAnswer, AuditFailure> {
            if model == "missing" { return .failure(AuditFailure(category: "HTTP 404", message: "model 'missing' is not served", isFatal: true)) }
            // The candidate paraphrases on odd samples.
            let text = model == "cand" && sample.index % 2 == 1 ? "roughly \(sample.prompt.prompt)" : sample.prompt.prompt
            return .success(AuditAnswer(text: text, latencyMS: 1, costUSD: model == "cand" ? 0.001 : 0.01, meanLogprob: -0.2))
        }

        /// "roughly X" lies at cosine 0.8 from "X"; everything else is the same direction.
        func embed(_ texts: [String]) async -> Result<[[Double]], AuditFailure> {
            .success(texts.map { $0.hasPrefix("roughly") ? [0.8, 0.6] : [1, 0] })
        }
    }

    @Test func runnerComparesByEmbeddingAndStopsOnFatalPreflight() async throws {
        let plan = AuditSampler(samplesPerType: 6).samples([AuditPrompt(type: "summary", prompt: "text")])
        let lenient = AuditRunner(backend: FakeBackend(), currentModel: "cur", candidateModel: "cand", mode: .embedding, cosineThreshold: 0.75, concurrency: 3)
        let reports = await lenient.run(plan)
        #expect(reports.count == 1 && reports[0].comparedSamples == 6 && reports[0].agreement == 1)
        #expect(reports[0].recommendation.decision == .downgrade)
        let strict = AuditRunner(backend: FakeBackend(), currentModel: "cur", candidateModel: "cand", mode: .embedding, cosineThreshold: 0.9)
        #expect(await strict.run(plan)[0].agreement == 0.5)
        let exact = AuditRunner(backend: FakeBackend(), currentModel: "cur", candidateModel: "cand", mode: .exact)
        #expect(await exact.run(plan)[0].recommendation.reason == "agreement 50 % < 90 %")
        let missing = AuditRunner(backend: FakeBackend(), currentModel: "cur", candidateModel: "missing")
        await #expect(throws: AuditError("model 'missing' is not served")) { try await missing.preflight(plan[0].samples[0]) }
    }

    // MARK: Rendering

    @Test func rendersTableJSONAndCSV() {
        let type = Self.aggregator.report(type: "label, short", prompts: 10, pairs: Self.pairs(agreeing: 9))
        let report = AuditReport(
            gateway: "http://gw", currentModel: "cur", candidateModel: "cand", agreement: .auto, cosineThreshold: nil, samplesPerType: 10, seed: 42,
            criteria: AuditCriteria(), types: [type])
        let table = AuditRendering.table(report)
        #expect(table.contains("DOWNGRADE"))
        #expect(table.contains("Rule: downgrade when agreement ≥ 90 %"))
        #expect(table.contains("550/955"))
        let csv = AuditRendering.csv(report).split(separator: "\n")
        #expect(csv.count == 2)
        #expect(csv[0].hasPrefix("type,samples,prompts,compared,agreement"))
        #expect(csv[1].hasPrefix("\"label, short\",10,10,10,0.9,exact,cur,0,550.0,"))
        let json = AuditRendering.json(report)
        #expect((try? JSONParser.parse(json))?["types"]?.arrayValue?.first?["recommendation"]?["decision"] == "downgrade")
    }
}
