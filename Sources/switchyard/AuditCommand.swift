import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardAuditClient
import SwitchyardCore
import SwitchyardEvaluation

/// `switchyard audit`: would a cheaper model do for each type of query?
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The cheapest-viable-model audit: per query type, does a cheaper candidate model answer like the current one?",
        discussion: """
            Sends samples of each query type in a prompt file through a running gateway (its configured providers, real or the simulated ones of `serve --demo`) to the current model and to the candidate, then reports per type: agreement, latency p50/p95, mean token logprob and its gap, cost per 1,000 requests, failures, and a recommendation.

            Prompt file: JSONL, one query a line, with a string `type` and `prompt` and optionally `system`, `max_tokens`, `temperature` and `response_format` (sent as given), e.g.
              {"type": "classification", "max_tokens": 5, "prompt": "Classify the sentiment as positive, negative or neutral: ..."}
              {"type": "extraction", "response_format": {"type": "json_object"}, "prompt": "Extract name and order number as JSON: ..."}

            Sampling: --samples per type, drawn from the type's prompts in a seeded shuffle (cycled when the type has fewer prompts; each repeat is sent with a different `seed` field so providers that honour it may vary). Every sample goes to both models with `logprobs: true` and an explicit `model`; an answer the gateway served from another model (a fallback or escalation) is counted as a failure, not compared. One preflight request per model runs first.

            Agreement (--agreement): exact = equal after normalisation (case, whitespace, trailing punctuation, surrounding quotes); json = equal as JSON values (key order and spacing ignored); embedding = cosine of the two answers' embeddings from the gateway's POST /v1/embeddings (--embedding-model, default local/all-MiniLM-L6-v2, which needs scripts/fetch-model.sh on the gateway) ≥ --cosine-threshold; auto (default) = json when both answers parse as JSON, else exact. Use embedding for open-ended types (summaries), where exact agreement is rare even between good answers.

            Recommendation, per type: DOWNGRADE when agreement ≥ --min-agreement, the confidence gap (current mean token logprob minus the candidate's) ≤ --max-confidence-gap (skipped without logprobs), the candidate costs less per request (x-switchyard-cost-usd), at least 5 samples were compared and the candidate fails at most 5 points more often; otherwise KEEP, with the reason. The rule is printed under the table.

            Example against the demo (the simulated tiers have a skill: cheap ones get easy short answers right and hard ones wrong; see docs/mock-provider.md):
              switchyard serve --demo &
              switchyard audit --prompts examples/audit-prompts.jsonl --current demo-premium --candidate demo-light
              switchyard audit --prompts examples/audit-prompts.jsonl --current demo-premium --candidate demo-mid --format csv > audit.csv

            Exit status: 0 when the audit ran (whatever it recommends), 1 on a bad prompt file, an unreachable gateway, an unknown model or a rejected key.
            """
    )

    @Option(help: "The prompt file (JSONL with `type` and `prompt` per line).", completion: .file(extensions: ["jsonl"]))
    var prompts: String

    @Option(help: "The model queries of these types use today (a model name of the gateway).")
    var current: String

    @Option(help: "The cheaper model to audit.")
    var candidate: String

    @Option(help: "The running gateway's base URL.")
    var gateway = "http://127.0.0.1:8080"

    @Option(help: "A virtual key for the gateway (default: $SWITCHYARD_API_KEY; none if unset).")
    var apiKey: String?

    @Option(help: "Samples per query type (1…1000).")
    var samples = 20

    @Option(help: "How answers are compared: exact, json, embedding or auto.")
    var agreement: AgreementMode = .auto

    @Option(help: "With --agreement embedding: least cosine similarity that counts as agreement.")
    var cosineThreshold = 0.9

    @Option(help: "With --agreement embedding: the gateway's embedding model.")
    var embeddingModel = GatewayAuditBackend.localEmbeddingModel

    @Option(help: "Least agreement (0…1) for a downgrade.")
    var minAgreement = 0.9

    @Option(help: "Most the candidate's mean token logprob may fall below the current model's (nats per token) for a downgrade.")
    var maxConfidenceGap = 0.5

    @Option(help: "Requests in flight at once.")
    var concurrency = 4

    @Option(help: "Seconds to wait for one answer.")
    var timeout = 60.0

    @Option(help: "Seed of the sampling (the same seed sends the same samples).")
    var seed: UInt64 = 42

    @Option(help: "Output: table, json or csv.")
    var format: AuditOutputFormat = .table

    func validate() throws {
        guard (1...1000).contains(samples) else { throw ValidationError("--samples must be between 1 and 1000; got \(samples).") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 64; got \(concurrency).") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive.") }
        guard (0...1).contains(minAgreement) else { throw ValidationError("--min-agreement must be between 0 and 1; got \(minAgreement).") }
        guard (-1...1).contains(cosineThreshold) else { throw ValidationError("--cosine-threshold must be between -1 and 1; got \(cosineThreshold).") }
        guard maxConfidenceGap >= 0 else { throw ValidationError("--max-confidence-gap must not be negative.") }
        guard current != candidate else { throw ValidationError("--current and --candidate must differ.") }
        guard gateway.hasPrefix("http://") || gateway.hasPrefix("https://") else { throw ValidationError("--gateway must be an http:// or https:// URL; got \(gateway).") }
    }

    func run() async throws {
        let prompts: [AuditPrompt]
        do {
            prompts = try AuditPromptReader().read(path: self.prompts)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let plan = AuditSampler(samplesPerType: samples, seed: seed).samples(prompts)
        let client = HTTPClient(configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5))))
        let backend = GatewayAuditBackend(
            baseURL: gateway, apiKey: apiKey ?? ProcessInfo.processInfo.environment["SWITCHYARD_API_KEY"],
            timeout: .milliseconds(Int64(timeout * 1000)), embeddingModel: embeddingModel, client: client)
        let criteria = AuditCriteria(minAgreement: minAgreement, maxConfidenceGap: maxConfidenceGap)
        let runner = AuditRunner(
            backend: backend, currentModel: current, candidateModel: candidate, mode: agreement, cosineThreshold: cosineThreshold,
            concurrency: concurrency, criteria: criteria)
        let report: AuditReport
        do {
            try await runner.preflight(plan[0].samples[0])
            let progress = ProgressIndicator(label: "audit")
            let types = await runner.run(plan) { progress.update($0, $1) }
            progress.finish()
            report = AuditReport(
                gateway: backend.baseURL, currentModel: current, candidateModel: candidate, agreement: agreement,
                cosineThreshold: agreement == .embedding ? cosineThreshold : nil, samplesPerType: samples, seed: seed, criteria: criteria, types: types)
        } catch {
            try? await client.shutdown()
            printError("error: \(error)")
            throw ExitCode(1)
        }
        try? await client.shutdown()
        printNow(AuditRendering.render(report, format: format))
    }
}

extension AgreementMode: ExpressibleByArgument {}
extension AuditOutputFormat: ExpressibleByArgument {}
