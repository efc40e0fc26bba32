import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

import SwitchyardAuditClient
import SwitchyardCore
import SwitchyardEvaluation
import SwitchyardMock

/// `switchyard audit`'s client and runner against a real gateway and simulator on loopback ports,
/// with the demo's simulated tiers (skills 0.6 / 0.75 / 0.95) and the committed example prompts.
@Suite("Audit over HTTP")
struct AuditOverHTTPTests {
    /// `<repo>/examples/audit-prompts.jsonl`.
    static let promptsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/audit-prompts.jsonl").path

    @Test("best → cheap: easy short-answer types downgrade, reasoning and open-ended types keep")
    func auditsTheExamplePrompts() async throws {
        let prompts = try AuditPromptReader().read(path: Self.promptsPath)
        try await LiveGateway.run(profile: MockProfile.demo.withoutLatency) { live in
            let runner = AuditRunner(backend: GatewayAuditBackend(baseURL: live.gatewayURL), currentModel: "best", candidateModel: "cheap", concurrency: 4)
            let plan = AuditSampler(samplesPerType: 12).samples(prompts)
            try await runner.preflight(plan[0].samples[0])
            let reports = await runner.run(plan)
            #expect(reports.map(\.type) == ["classification", "yes_no", "extraction", "reasoning", "summarisation"])
            let byType = Dictionary(uniqueKeysWithValues: reports.map { ($0.type, $0) })
            for type in ["classification", "yes_no", "extraction"] {
                #expect(byType[type]?.recommendation.decision == .downgrade, "\(type): \(byType[type]?.recommendation.reason ?? "missing")")
            }
            for type in ["reasoning", "summarisation"] {
                #expect(byType[type]?.recommendation.decision == .keep, "\(type): \(byType[type]?.recommendation.reason ?? "missing")")
                #expect(byType[type]?.recommendation.reason.hasPrefix("agreement") == true)
            }
            #expect(byType["extraction"]?.metrics == ["json": 12])
            #expect((byType["reasoning"]?.agreement ?? 1) < 0.8)
            #expect((byType["reasoning"]?.confidenceGap ?? 0) > (byType["classification"]?.confidenceGap ?? 1))
            for report in reports {
                #expect(report.samples == 12 && report.comparedSamples == 12)
                #expect(report.current.requests == 12 && report.candidate.requests == 12)
                #expect(report.current.failures == 0 && report.candidate.failures == 0 && report.failures.isEmpty)
                let current = try #require(report.current.costPer1kUSD)
                let candidate = try #require(report.candidate.costPer1kUSD)
                #expect(current > 0 && candidate > 0 && candidate < current)
                #expect(report.current.latencyP50MS != nil && report.current.meanLogprob != nil && report.candidate.meanLogprob != nil)
            }
            // Every sample went upstream with logprobs and a seed (12 × 5 types × 2 models + 2 preflight).
            let upstream = live.mock.requestLog.requests.filter { $0.path.hasSuffix("/chat/completions") }
            #expect(upstream.count == 122)
            #expect(upstream.allSatisfy { $0.body["logprobs"] == true && $0.body["seed"]?.intValue != nil })
        }
    }

    @Test("failed requests are counted per type, not dropped")
    func countsFailures() async throws {
        struct Flaky: AuditBackend {
            let inner: GatewayAuditBackend
            func complete(_ sample: AuditSample, model: String) async -> Result<AuditAnswer, AuditFailure> {
                // The candidate's first three samples go to a model the gateway does not have.
                if model == "cheap" && sample.index < 3 { return await inner.complete(sample, model: "broken") }
                return await inner.complete(sample, model: model)
            }
            func embed(_ texts: [String]) async -> Result<[[Double]], AuditFailure> { await inner.embed(texts) }
        }
        let prompts = [AuditPrompt(type: "label", prompt: "Spam or legitimate? Win a prize now.", maxTokens: 5)]
        try await LiveGateway.run(profile: MockProfile.demo.withoutLatency) { live in
            let runner = AuditRunner(backend: Flaky(inner: GatewayAuditBackend(baseURL: live.gatewayURL)), currentModel: "best", candidateModel: "cheap")
            let report = try #require(await runner.run(AuditSampler(samplesPerType: 10).samples(prompts)).first)
            #expect(report.candidate.failures == 3 && report.current.failures == 0)
            #expect(report.comparedSamples == 7)
            #expect(report.failures == ["candidate: HTTP 404": 3])
            #expect(report.recommendation == AuditRecommendation(decision: .keep, reason: "candidate failed 3 of 10 requests (current 0)"))
        }
    }

    @Test("an unknown model, an unreachable gateway and a missing embedding model stop the audit with one message")
    func fatalProblems() async throws {
        let sample = AuditSample(prompt: AuditPrompt(type: "t", prompt: "hi", maxTokens: 5), index: 0, seed: 0)
        try await LiveGateway.run(profile: MockProfile.demo.withoutLatency) { live in
            let unknown = AuditRunner(backend: GatewayAuditBackend(baseURL: live.gatewayURL + "/v1/"), currentModel: "best", candidateModel: "nope")
            do {
                try await unknown.preflight(sample)
                Issue.record("no error for an unknown model")
            } catch {
                #expect("\(error)".hasPrefix("model 'nope' is not served by the gateway at \(live.gatewayURL) (HTTP 404)"), "\(error)")
            }
            let embedding = AuditRunner(backend: GatewayAuditBackend(baseURL: live.gatewayURL), currentModel: "best", candidateModel: "cheap", mode: .embedding)
            do {
                try await embedding.preflight(sample)
                Issue.record("no error without the embedding model")
            } catch {
                #expect("\(error)".contains("is not loaded (HTTP 503)"), "\(error)")
            }
        }
        let client = HTTPClient(configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(2))))
        let unreachable = AuditRunner(
            backend: GatewayAuditBackend(baseURL: "http://127.0.0.1:1", timeout: .seconds(3), client: client), currentModel: "a", candidateModel: "b")
        do {
            try await unreachable.preflight(sample)
            Issue.record("no error for an unreachable gateway")
        } catch {
            #expect("\(error)".hasPrefix("cannot reach the gateway at http://127.0.0.1:1"), "\(error)")
        }
        try await client.shutdown()
    }
}
