import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore
import SwitchyardEmbeddings
import SwitchyardStorage

/// Shadow evaluation (`policy.shadow`, see ``ShadowSettings``): asks the reference model again
/// for a sample of the answers served from lower tiers (streamed ones once their stream has
/// ended, with a plain request), off the request path, judges
/// whether the two agree, and keeps the verdicts per task and tier. Routing reads
/// ``demotions``: a tier that agrees too rarely for a task is skipped for it, and the decision
/// record says why. Each shadow call is booked in the ledger (endpoint `shadow`, no tenant, so
/// no tenant's budget pays for the gateway's own evaluation).
final class ShadowEvaluator: Service {
    /// One sampled answer waiting for its shadow call.
    struct Job: Sendable {
        var decisionID: String
        var task: String
        var tier: String
        var model: String
        var request: ChatCompletionRequest
        var answer: String
    }

    /// The ledger's endpoint for shadow calls, and the reason that ends an agreeing one.
    static let endpoint = LedgerReport.shadowEndpoint
    static let agrees = "agrees"
    static let disagrees = "disagrees"

    let settings: ShadowSettings
    let reference: ModelDeployment
    private let referenceRank: Int
    /// The tiers and models, for ranks and for the tier of the model a shadow entry checked.
    private let configuration: GatewayConfiguration
    private let providers: ProviderRegistry
    /// The local embedding model, for `agreement: embedding`.
    private let embedder: (any TextEmbedder)?
    private let ledger: LedgerRecorder
    private let logger: Logger
    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation
    private struct State {
        var statistics: ShadowStatistics
        var demotions = ShadowDemotions.none
        var dropped = 0
        var failed = 0
        /// Which verdicts in the store are counted, and where the next read starts.
        var log = ShadowVerdictLog()
    }
    private let state: Mutex<State>

    init?(
        configuration: GatewayConfiguration, providers: ProviderRegistry, ledger: LedgerRecorder, embedder: (any TextEmbedder)?, logger: Logger
    ) {
        guard let settings = configuration.routing.policy.shadow, let reference = configuration.model(named: settings.model) else { return nil }
        self.embedder = embedder
        self.settings = settings
        self.reference = reference
        self.configuration = configuration
        referenceRank = configuration.rank(ofTier: reference.tier) ?? Int.max
        self.providers = providers
        self.ledger = ledger
        self.logger = logger
        state = Mutex(State(statistics: ShadowStatistics(window: settings.window)))
        (jobs, submit) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingOldest(settings.queueCapacity))
    }

    /// The most verdicts one read of the store takes: the newest, when more are new.
    static let readLimit = 50_000

    /// Counts the verdicts in the ledger not counted yet: at start, those measured before a
    /// restart or by other instances on a shared database, and then (every refresh interval on
    /// one) what the other instances have measured since. Each read takes only the rows after
    /// those already settled (see ``ShadowVerdictLog``), and a few fields of each. Entries of
    /// models no longer configured, and failed calls, are passed over; this instance's own
    /// verdicts were counted when judged.
    func load(from store: any LedgerStore) async throws(StoreError) {
        let after = state.withLock { $0.log.settledRow }
        let records = try await store.shadowVerdicts(after: after, limit: Self.readLimit)
        let now = ContinuousClock.now
        state.withLock { state in
            var changed = false
            for record in state.log.absorb(records, at: now) {
                guard let tier = configuration.model(named: record.model)?.tier, let verdict = record.verdict,
                    verdict == Self.agrees || verdict == Self.disagrees
                else { continue }
                state.statistics.record(task: record.task, tier: tier, agrees: verdict == Self.agrees)
                changed = true
            }
            if changed { state.demotions = demotions(of: state.statistics) }
        }
    }

    /// The tiers routing skips, per task.
    var demotions: ShadowDemotions { state.withLock { $0.demotions } }

    /// What `statistics` take out of routing, by the configured bar.
    private func demotions(of statistics: ShadowStatistics) -> ShadowDemotions {
        statistics.demotions(minSamples: settings.minSamples, minAgreement: settings.minAgreement, reference: reference.name)
    }

    /// Whether an answer `served` for `task` is one to shadow: from a tier below the reference
    /// model's, of a task shadowed, and sampled. Cheap: a rank lookup and a hash of the decision
    /// id. A streamed answer's text is read as it is relayed only when this holds.
    func samples(decisionID: String, task: String, served: ModelDeployment) -> Bool {
        guard let rank = configuration.rank(ofTier: served.tier), rank < referenceRank, settings.tasks?.contains(task) ?? true else {
            return false
        }
        return settings.samples(decisionID: decisionID)
    }

    /// Offers a served answer; queues the shadow call (``queue(decisionID:task:served:request:answer:)``)
    /// when the answer is sampled (``samples(decisionID:task:served:)``).
    func offer(decisionID: String, task: String, served: ModelDeployment, request: ChatCompletionRequest, answer: String?) {
        guard samples(decisionID: decisionID, task: task, served: served) else { return }
        queue(decisionID: decisionID, task: task, served: served, request: request, answer: answer)
    }

    /// Queues the shadow call for an answer already sampled (a stream's text once the stream
    /// ended well), when it has text to compare. The reference model is asked with a plain
    /// request, whether or not the client streamed.
    func queue(decisionID: String, task: String, served: ModelDeployment, request: ChatCompletionRequest, answer: String?) {
        guard let answer, !answer.isEmpty else { return }
        let job = Job(
            decisionID: decisionID, task: task, tier: served.tier, model: served.name, request: request.withoutStreaming, answer: answer)
        if case .dropped = submit.yield(job) { state.withLock { $0.dropped += 1 } }
    }

    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    var running = 0
                    for await job in jobs {
                        if running == settings.maxInFlight {
                            await group.next()
                            running -= 1
                        }
                        running += 1
                        group.addTask { await self.evaluate(job) }
                    }
                }
            } onGracefulShutdown: { [submit] in
                submit.finish()
            }
        } onCancel: { [submit] in
            submit.finish()
        }
    }

    /// Asks the reference model, judges, books the call, then records the verdict (so a verdict
    /// counted in ``json`` has its ledger entry queued).
    func evaluate(_ job: Job) async {
        let started = ContinuousClock.now
        var entry = LedgerEntry(
            decisionID: "shadow-" + job.decisionID, time: Date(), endpoint: Self.endpoint, requestedModel: job.model, task: job.task,
            taskSource: "shadow", reasons: ["policy.shadow: \(job.tier) answer of \(job.decisionID) asked again of \(reference.name)"],
            provider: reference.provider, model: reference.name, tier: reference.tier)
        var verdict: Bool?
        do throws(ProviderError) {
            guard let adapter = providers.adapter(named: reference.provider) else {
                throw ProviderError.connectionFailed(message: "no adapter for provider '\(reference.provider)'")
            }
            let completion = try await adapter.complete(ProviderCall(deployment: reference, request: job.request))
            let agrees = judge(job.answer, completion.summary.content ?? "")
            if let usage = completion.usage {
                entry.inputTokens = usage.promptTokens
                entry.outputTokens = usage.completionTokens
                entry.cachedTokens = usage.cachedPromptTokens
                entry.costUSD = reference.price.cost(of: usage)
                entry.baselineCostUSD = entry.costUSD
            }
            entry.reasons.append(agrees ? Self.agrees : Self.disagrees)
            verdict = agrees
        } catch {
            entry.status = error.gatewayError.status
            entry.errorCode = error.errorClass
            logger.warning("shadow call failed", metadata: ["decision_id": "\(job.decisionID)", "error": "\(error)"])
        }
        entry.latency = ContinuousClock.now - started
        entry.upstreamLatency = entry.latency
        // Counted below, so not again when a refresh reads the entry back.
        if verdict != nil { state.withLock { $0.log.noteOwn(decisionID: entry.decisionID, at: .now) } }
        ledger.record(entry)
        state.withLock { state in
            guard let verdict else {
                state.failed += 1
                return
            }
            state.statistics.record(task: job.task, tier: job.tier, agrees: verdict)
            state.demotions = demotions(of: state.statistics)
        }
    }

    /// Whether the served answer agrees with the reference's (see
    /// ``ShadowSettings/agrees(_:_:embeddings:)``); embeddings come from the local model,
    /// computed here, off the request path.
    func judge(_ served: String, _ reference: String) -> Bool {
        settings.agrees(served, reference, embeddings: embedder.map { embedder in { embedder.embed(batch: $0) } })
    }

    /// `/admin/stats`' `shadow` member: the verdicts per task and tier, and what they take out
    /// of routing.
    var json: JSONValue {
        state.withLock { state in
            let rows = state.statistics.records.keys.sorted().map { key -> JSONValue in
                let record = state.statistics.records[key] ?? ShadowStatistics.Record()
                return .object(JSONObject([
                    ("task", .string(key.task)), ("tier", .string(key.tier)), ("judged", .int(Int64(record.total))),
                    ("window", .int(Int64(record.outcomes.count))), ("agreement", .double(record.agreement)),
                    ("skipped", .bool(state.demotions.evidence(task: key.task, tier: key.tier) != nil)),
                ]))
            }
            return .object(JSONObject([
                ("reference", .string(reference.name)), ("rate", .double(settings.rate)), ("min_agreement", .double(settings.minAgreement)),
                ("min_samples", .int(Int64(settings.minSamples))), ("dropped", .int(Int64(state.dropped))), ("failed", .int(Int64(state.failed))),
                ("tiers", .array(rows)),
            ]))
        }
    }
}
