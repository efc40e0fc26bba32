import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// `POST /v1/chat/completions`: validates the request, routes it to a chain of deployments,
/// executes the chain (retries, fallbacks, breakers) and answers in OpenAI's format — as one JSON
/// body, or as server-sent events when `stream` is set.
struct ChatCompletionsHandler: Sendable {
    let configuration: GatewayConfiguration
    let engine: RoutingEngine
    let executor: ChainExecutor
    let monitor: DeploymentMonitor
    let sessions: SessionStore
    let decisions: DecisionLog
    let gates: GateEvaluator
    let cascade: GatedCascade

    /// Longest `x-switchyard-timeout-ms` accepted.
    static let maximumTimeout = Duration.seconds(3600)

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let received = ContinuousClock.now
        let body = try await collectBody(request, limit: configuration.server.maxBodyBytes)
        let chat = try ChatCompletionRequest(bytes: body.readableBytesView)
        let hints = switchyardHeaders(request.headers)
        let deadline = received + (try requestTimeout(hints) ?? configuration.resilience.retry.deadline)
        let decisionID = context.id
        let decision = try route(chat, hints: hints, decisionID: decisionID)
        let clientHeaders = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }

        var headers: HTTPFields = [
            SwitchyardHeader.decisionID: decisionID,
            SwitchyardHeader.task: decision.signals.task.value,
            SwitchyardHeader.escalated: decision.escalated ? "true" : "false",
            SwitchyardHeader.requestID: decisionID,
        ]

        let gateOptions = try gates.validate(request: chat)
        let plan = gates.plan(forTask: decision.signals.task.value, options: gateOptions, model: decision.chosen)
        if Self.isGated(plan: plan, options: gateOptions, stream: chat.stream) {
            let outcome = try await cascade.run(chat: chat, options: gateOptions, decision: decision, clientHeaders: clientHeaders, deadline: deadline)
            let answer = try servedGated(outcome, decision: decision, headers: &headers)
            headers[SwitchyardHeader.costUSD] = formatUSD(answer.costUSD)
            if chat.stream {
                headers[.contentType] = "text/event-stream"
                headers[.cacheControl] = "no-cache"
                headers[SwitchyardHeader.buffered] = "true"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: BufferedStream.events(from: answer.body, includeUsage: chat.includeUsageInStream)))
            }
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.bodyBytes)))
        }

        if chat.stream {
            // Nothing goes to the client before the first upstream chunk: up to then a failure
            // (including an error event as the first chunk) still falls back along the chain.
            let outcome = try await executor.execute(chain: decision.chain, request: chat, clientHeaders: clientHeaders, deadline: deadline) {
                (adapter, call) throws(ProviderError) -> OpenedStream in
                var stream = try await adapter.stream(call)
                let first = try await stream.next()
                return OpenedStream(stream: stream, first: first)
            }
            let served = try served(outcome, decision: decision, headers: &headers).success
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let relay = StreamRelay(includeUsage: chat.includeUsageInStream, logger: context.logger)
            let opened = served.value
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                var stream = opened.stream
                try await relay.relay(first: opened.first, rest: &stream, to: &writer)
            })
        }

        let outcome = try await executor.execute(
            chain: decision.chain, request: chat, clientHeaders: clientHeaders, deadline: deadline, usage: \.usage
        ) {
            (adapter, call) throws(ProviderError) -> ProviderCompletion in
            try await adapter.complete(call)
        }
        let served = try served(outcome, decision: decision, headers: &headers).success
        headers[.contentType] = "application/json"
        if let usage = served.value.usage {
            headers[SwitchyardHeader.costUSD] = formatUSD(served.deployment.price.cost(of: usage))
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: served.value.bodyBytes)))
    }

    /// Routes a parsed request; the context carries what the gateway knows now.
    func route(_ chat: ChatCompletionRequest, hints: [String: String], decisionID: String, userTier: UserTier = .pro) throws(GatewayError) -> RoutingDecision {
        let routingRequest = try RoutingRequest(chat: chat, headers: hints)
        let now = Date()
        let context = RoutingContext(
            decisionID: decisionID, userTier: userTier, now: now,
            session: routingRequest.hints.session.flatMap { sessions.state(for: $0, now: now) },
            unavailableDeployments: monitor.unavailableDeployments(now: .now))
        return try engine.route(routingRequest, context: context)
    }

    /// Books the outcome of executing the chain: the decision log, session memory and the
    /// response headers; returns the success or throws the chain's error.
    private func served<Value>(
        _ outcome: Result<ChainExecutor.Success<Value>, ChainExecutor.Failure>, decision: RoutingDecision, headers: inout HTTPFields,
        record: Bool = true, escalatedByGates: Bool = false
    ) throws -> (success: ChainExecutor.Success<Value>, log: JSONObject) {
        let attempts: [AttemptRecord]
        switch outcome {
        case .success(let success): attempts = success.attempts
        case .failure(let failure): attempts = failure.attempts
        }
        let fallbacks = ChainExecutor.fallbackCount(attempts)
        var log = decision.record.json.objectValue ?? JSONObject()
        log["attempts"] = .array(attempts.map(\.json))
        log["fallbacks"] = .int(Int64(fallbacks))
        switch outcome {
        case .success(let success):
            log["served"] = .string(success.deployment.name)
            if record { decisions.append(id: decision.record.id ?? "", record: .object(log)) }
            if let session = decision.session {
                sessions.noteServed(
                    session: session, tier: success.deployment.tier, escalated: decision.escalated || escalatedByGates, now: Date())
            }
            headers[SwitchyardHeader.model] = success.deployment.name
            headers[SwitchyardHeader.provider] = success.deployment.provider
            headers[SwitchyardHeader.tier] = success.deployment.tier
            headers[SwitchyardHeader.fallbacks] = String(fallbacks)
            return (success, log)
        case .failure(let failure):
            log["error"] = failure.error.json["error"] ?? .null
            decisions.append(id: decision.record.id ?? "", record: .object(log))
            throw failure.error
        }
    }

    /// Whether the answer must pass gates before the client sees it. Plain answers are gated
    /// whenever a gate applies. Streams are buffered only for gates beyond the baseline sanity
    /// checks (truncation, empty, refusal) — a task's own gates or gates the request names — so
    /// ordinary streams keep their time to first token.
    static func isGated(plan: GatePlan, options: GateRequestOptions, stream: Bool) -> Bool {
        guard !plan.isEmpty else { return false }
        guard stream else { return true }
        if options.only != nil || !options.enabled.isEmpty { return true }
        return !Set(plan.kinds).subtracting([.truncation, .empty, .refusal]).isEmpty
    }

    /// Books a gated answer like ``served(_:decision:headers:)``, plus gate reports, escalation
    /// and review flags.
    private func servedGated(
        _ outcome: Result<GatedCascade.Outcome, ChainExecutor.Failure>, decision: RoutingDecision, headers: inout HTTPFields
    ) throws -> GatedCascade.Outcome {
        switch outcome {
        case .failure(let failure):
            _ = try served(Result<ChainExecutor.Success<Void>, ChainExecutor.Failure>.failure(failure), decision: decision, headers: &headers)
            throw failure.error
        case .success(let answer):
            var log = try served(
                .success(ChainExecutor.Success(value: (), deployment: answer.deployment, attempts: answer.attempts)), decision: decision,
                headers: &headers, record: false, escalatedByGates: answer.escalations > 0
            ).log
            // Escalations are not fallbacks: count moves within each run of the chain only.
            log["fallbacks"] = .int(Int64(answer.fallbacks))
            headers[SwitchyardHeader.fallbacks] = String(answer.fallbacks)
            log["gates"] = .array(answer.reports)
            log["escalations"] = .int(Int64(answer.escalations))
            if let reason = answer.escalationReason { log["escalation_reason"] = .string(reason) }
            if let review = answer.reviewID { log["review_id"] = .string(review) }
            log["cost_usd"] = .double(answer.costUSD)
            decisions.append(id: decision.record.id ?? "", record: .object(log))
            if answer.escalations > 0 {
                headers[SwitchyardHeader.escalated] = "true"
                headers[SwitchyardHeader.escalationReason] = answer.escalationReason
            }
            if let review = answer.reviewID { headers[SwitchyardHeader.review] = review }
            return answer
        }
    }

    /// The request's own deadline from `x-switchyard-timeout-ms`, if given.
    func requestTimeout(_ hints: [String: String]) throws(GatewayError) -> Duration? {
        guard let text = hints["x-switchyard-timeout-ms"] else { return nil }
        guard let milliseconds = Int(text), milliseconds > 0, Duration.milliseconds(milliseconds) <= Self.maximumTimeout else {
            throw .invalidRequest(
                "'x-switchyard-timeout-ms' must be a whole number of milliseconds between 1 and \(Int(Self.maximumTimeout.milliseconds)); got '\(text)'.",
                param: "x-switchyard-timeout-ms", code: "invalid_value")
        }
        return .milliseconds(milliseconds)
    }
}

/// A provider stream whose first chunk has been read.
struct OpenedStream: Sendable {
    var stream: any ChatCompletionStream
    var first: ChatStreamChunk?
}

/// The request's `x-switchyard-*` headers, names lower-cased.
func switchyardHeaders(_ headers: HTTPFields) -> [String: String] {
    var result: [String: String] = [:]
    for field in headers {
        let name = field.name.canonicalName
        if name.hasPrefix("x-switchyard-") { result[name] = field.value }
    }
    return result
}

/// The body, refusing anything over `limit` bytes with 413 (early, from `Content-Length`, when
/// the client declares it).
func collectBody(_ request: Request, limit: Int) async throws -> ByteBuffer {
    if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
        throw GatewayError.payloadTooLarge(limitBytes: limit)
    }
    do {
        return try await request.body.collect(upTo: limit)
    } catch is NIOTooManyBytesError {
        throw GatewayError.payloadTooLarge(limitBytes: limit)
    }
}
