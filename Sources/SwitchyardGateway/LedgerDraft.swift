import Foundation
import NIOCore
import SwitchyardCore

/// One request's ledger entry, filled in as the request moves through the gateway and handed to
/// the recorder exactly once, when the response (or stream) is finished.
struct LedgerDraft: Sendable {
    private(set) var entry: LedgerEntry
    /// The budget reservation to settle when the entry is booked.
    var admission: BudgetBook.Admission?
    let received: ContinuousClock.Instant
    let logContent: Bool
    let baselinePrice: ModelPrice?

    init(
        decisionID: String, endpoint: String = "chat.completions", received: ContinuousClock.Instant, logContent: Bool, baselinePrice: ModelPrice?
    ) {
        entry = LedgerEntry(decisionID: decisionID, time: Date(), endpoint: endpoint, status: 200)
        self.received = received
        self.logContent = logContent
        self.baselinePrice = baselinePrice
    }

    /// The authenticated caller.
    mutating func note(identity: CallerIdentity) {
        entry.tenant = identity.tenant?.id
        entry.keyID = identity.key?.id
    }

    /// The parsed request.
    mutating func note(request chat: ChatCompletionRequest) {
        entry.requestedModel = chat.model
        entry.stream = chat.stream
        if logContent { entry.prompt = chat.messages.last { $0.role == "user" }?.text ?? chat.promptText }
    }

    /// The routing decision and the context it was made in.
    mutating func note(decision: RoutingDecision, region: String?) {
        let signals = decision.signals
        entry.tenant = decision.record.tenant ?? entry.tenant
        entry.userTier = decision.record.userTier.rawValue
        entry.region = region
        entry.session = decision.session
        entry.task = signals.task.value
        entry.taskSource = signals.task.source.rawValue
        entry.complexity = signals.complexity.value
        entry.complexitySource = signals.complexity.source.rawValue
        entry.sensitivity = signals.sensitivity.value.rawValue
        entry.reasons = decision.record.clauses.map { "\($0.clause): \($0.effect)" }
    }

    /// How the chain was executed; `record` is the decision record with attempts, as logged
    /// (JSON text).
    mutating func note(
        attempts: [AttemptRecord], served deployment: ModelDeployment?, chain: [ModelDeployment], fallbacks: Int, record: String
    ) {
        entry.attempts = attempts
        entry.fallbacks = fallbacks
        entry.fallbackReason = attempts.last { $0.status != 200 && !$0.wasSkipped }?.errorClass
        entry.upstreamLatency = attempts.reduce(.zero) { $0 + $1.latency }
        entry.decisionJSON = record
        if let deployment {
            entry.provider = deployment.provider
            entry.model = deployment.name
            entry.tier = deployment.tier
            entry.chainPosition = chain.firstIndex { $0.name == deployment.name }
            if entry.region == nil { entry.region = deployment.region }
        }
    }

    /// The gate reports of a gated answer, as the JSON text the decision record holds.
    mutating func note(gatesJSON: String) {
        entry.gatesJSON = gatesJSON
    }

    /// Escalations and review of a gated answer.
    mutating func note(escalations: Int, reason: String?, reviewID: String?) {
        entry.escalations = escalations
        entry.escalationReason = reason
        entry.reviewID = reviewID
    }

    /// Tokens used and what they cost; `cost` overrides the price-table cost (a cascade pays
    /// for every answer it produced).
    mutating func note(usage: TokenUsage?, price: ModelPrice?, cost: Double? = nil) {
        if let usage {
            entry.inputTokens = usage.promptTokens
            entry.outputTokens = usage.completionTokens
            entry.cachedTokens = usage.cachedPromptTokens
            entry.baselineCostUSD = baselinePrice?.cost(of: usage) ?? 0
        }
        entry.costUSD = cost ?? usage.flatMap { usage in price.map { $0.cost(of: usage) } } ?? 0
    }

    /// The answer text (kept only with `log_content`).
    mutating func note(answer: ChatCompletionSummary) {
        guard logContent else { return }
        entry.answer = answer.content
    }

    /// The first byte of a stream is about to go out.
    mutating func noteFirstToken(at instant: ContinuousClock.Instant) {
        entry.timeToFirstToken = instant - received
    }

    /// Time spent relaying a stream from the provider.
    mutating func noteStreamed(for duration: Duration) {
        entry.upstreamLatency += duration
    }

    /// The request failed with `error` (status and code as the client sees them).
    mutating func note(error: any Error) {
        let gatewayError = (error as? GatewayError) ?? (error as? ProviderError)?.gatewayError
        entry.status = gatewayError?.status ?? 500
        entry.errorCode = gatewayError?.code ?? "internal_error"
    }

    /// A stream that was cut after its first byte (provider error or client gone).
    mutating func note(streamError code: String) {
        entry.errorCode = code
    }

    /// Sets the entry's total latency up to `now`: the entry is then ready to book. In place, so
    /// the entry's storage is not copied.
    mutating func finish(at now: ContinuousClock.Instant = .now) {
        entry.latency = now - received
    }
}
