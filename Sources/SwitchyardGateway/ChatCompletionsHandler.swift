import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardStorage

/// `POST /v1/chat/completions`: validates the request, routes it to a chain of deployments,
/// executes the chain (retries, fallbacks, breakers) and answers in OpenAI's format — as one JSON
/// body, or as server-sent events when `stream` is set.
///
/// A class, so a stream's body writer and every stage share the handler instead of copying the
/// configuration and services it holds.
final class ChatCompletionsHandler: Sendable {
    let configuration: GatewayConfiguration
    let engine: RoutingEngine
    let executor: ChainExecutor
    let monitor: DeploymentMonitor
    let sessions: SessionStore
    let decisions: DecisionLog
    let gates: GateEvaluator
    let cascade: GatedCascade
    /// Where each request's ledger entry goes (off the request path).
    let ledger: LedgerRecorder
    /// Virtual keys and tenants.
    let tenants: TenantDirectory
    /// Budgets and rate limits.
    let budgets: BudgetBook
    /// Shadow evaluation, when `policy.shadow` is set.
    let shadow: ShadowEvaluator?

    init(
        configuration: GatewayConfiguration, engine: RoutingEngine, executor: ChainExecutor, monitor: DeploymentMonitor, sessions: SessionStore,
        decisions: DecisionLog, gates: GateEvaluator, cascade: GatedCascade, ledger: LedgerRecorder, tenants: TenantDirectory, budgets: BudgetBook,
        shadow: ShadowEvaluator? = nil
    ) {
        self.shadow = shadow
        self.configuration = configuration
        self.engine = engine
        self.executor = executor
        self.monitor = monitor
        self.sessions = sessions
        self.decisions = decisions
        self.gates = gates
        self.cascade = cascade
        self.ledger = ledger
        self.tenants = tenants
        self.budgets = budgets
    }

    /// Prices of the baseline deployment (savings are measured against them); the compiled
    /// policy holds it, so this is a field read.
    var baselinePrice: ModelPrice? { engine.baselineDeployment?.price }

    /// Longest `x-switchyard-timeout-ms` accepted.
    static let maximumTimeout = Duration.seconds(3600)

    /// Answers one request and books exactly one ledger entry for it, whatever happens.
    ///
    /// - Parameters:
    ///   - collectedBody: The request's body when the server has already read it
    ///     (see ``CollectedBodyResponder``); `nil` reads `request.body`.
    ///   - ingress: The wire format the request came in (``ChatIngress/messages(_:)`` for one
    ///     read by ``MessagesHandler``, whose body is then not read again), for the ledger and
    ///     for providers that speak it.
    func handle(
        _ request: Request, collectedBody: ByteBuffer? = nil, ingress: ChatIngress = .chatCompletions, context: some RequestContext
    ) async throws -> Response {
        var draft = LedgerDraft(
            decisionID: context.id, endpoint: ingress.endpoint, received: .now, logContent: configuration.ledger.logContent,
            baselinePrice: baselinePrice)
        do {
            return try await respond(request, collectedBody: collectedBody, ingress: ingress, context: context, draft: &draft)
        } catch {
            draft.note(error: error)
            book(&draft)
            throw error
        }
    }

    /// Books the one ledger entry of a request refused before it reached
    /// ``handle(_:collectedBody:ingress:context:)`` (a Messages body that is not JSON or does not
    /// translate), as `handle` books the requests it refuses itself.
    func bookRefused(_ error: any Error, endpoint: String, received: ContinuousClock.Instant, context: some RequestContext) {
        var draft = LedgerDraft(decisionID: context.id, endpoint: endpoint, received: received, logContent: false, baselinePrice: baselinePrice)
        draft.note(error: error)
        book(&draft)
    }

    /// Records the request's ledger entry and settles its budget reservation to the actual cost
    /// (a failed request costs nothing, which releases the reservation).
    @inline(never)
    func book(_ draft: inout LedgerDraft) {
        draft.finish()
        let entry = draft.entry
        ledger.record(entry)
        guard let admission = draft.admission else { return }
        if entry.succeeded, entry.inputTokens == 0, entry.outputTokens == 0, entry.stream {
            // A stream that ended without usage (the client left early): charge the reservation
            // rather than risk under-counting.
            budgets.settle(admission, usd: admission.amount.usd, tokens: admission.amount.tokens, session: entry.session, now: Date())
        } else {
            budgets.settle(admission, usd: entry.costUSD, tokens: entry.inputTokens + entry.outputTokens, session: entry.session, now: Date())
        }
    }

    /// Answers the request. Books the ledger entry itself on success (for streams, when the
    /// stream ends); on a throw, the caller books it.
    ///
    /// Each stage is its own non-inlined async function so that only the stage running holds
    /// its locals: a task's allocator keeps the deepest frame stack it has seen for as long as
    /// the connection lives, so one large frame here costs memory on every open connection.
    private func respond(
        _ request: Request, collectedBody: ByteBuffer?, ingress: ChatIngress, context: some RequestContext, draft: inout LedgerDraft
    ) async throws -> Response {
        let prepared = try await prepare(request, collectedBody: collectedBody, ingress: ingress, decisionID: context.id, draft: &draft)
        if prepared.gated {
            return try await answerGated(prepared, draft: &draft)
        }
        if prepared.chat.stream {
            return try await answerStream(prepared, logger: context.logger, draft: &draft)
        }
        return try await answerPlain(prepared, draft: &draft)
    }

    /// A validated, routed and admitted request, ready to be sent along its chain.
    ///
    /// A class: every stage holds it across its awaits, and each async frame that held the
    /// struct (about 1,000 bytes) kept a copy of its own, with a retain of every string and array
    /// in it.
    final class PreparedRequest: Sendable {
        let chat: ChatCompletionRequest
        let decision: RoutingDecision
        let gateOptions: GateRequestOptions
        /// The gates for the chain's first deployment (the cascade reuses it for that one).
        let gatePlan: GatePlan
        /// Whether the answer must pass gates before the client sees it.
        let gated: Bool
        let deadline: ContinuousClock.Instant
        let clientHeaders: [(name: String, value: String)]
        /// The request's decision id.
        let decisionID: String

        init(
            chat: ChatCompletionRequest, decision: RoutingDecision, gateOptions: GateRequestOptions, gatePlan: GatePlan, gated: Bool,
            deadline: ContinuousClock.Instant, clientHeaders: [(name: String, value: String)], decisionID: String
        ) {
            self.chat = chat
            self.decision = decision
            self.gateOptions = gateOptions
            self.gatePlan = gatePlan
            self.gated = gated
            self.deadline = deadline
            self.clientHeaders = clientHeaders
            self.decisionID = decisionID
        }

        /// A new response's headers known before any provider answers, with room for those
        /// added later: filled once by appending, so the list neither grows nor is copied.
        var headers: HTTPFields {
            var headers = HTTPFields()
            headers.reserveCapacity(16)
            headers.append(HTTPField(name: SwitchyardHeader.decisionID, value: decisionID))
            headers.append(HTTPField(name: SwitchyardHeader.task, value: decision.signals.task.value))
            headers.append(HTTPField(name: SwitchyardHeader.escalated, value: decision.escalated ? "true" : "false"))
            headers.append(HTTPField(name: SwitchyardHeader.requestID, value: decisionID))
            return headers
        }
    }

    /// Authenticates, reads and validates the body, routes, plans gates and reserves budget.
    @inline(never)
    private func prepare(
        _ request: Request, collectedBody: ByteBuffer?, ingress: ChatIngress, decisionID: String, draft: inout LedgerDraft
    ) async throws -> PreparedRequest {
        let identity = try tenants.identify(authorization: request.headers.value(of: .authorization), now: Date())
        draft.note(identity: identity)
        let body: ChatBody
        switch ingress {
        case .chatCompletions: body = .bytes(try await collectBody(request, limit: configuration.server.maxBodyBytes, collected: collectedBody))
        case .messages(let messages): body = .messages(messages)
        }
        let prepared = try await awayFromEventLoop(if: engine.consultsSemanticClassifier) { () throws -> PreparedRequest in
            try plan(body, request: request, identity: identity, decisionID: decisionID, draft: &draft)
        }
        let amount = worstCase(
            prepared.chat, chain: prepared.decision.chain,
            answers: prepared.gated ? min(1 + configuration.routing.gates.maxEscalations, prepared.decision.chain.count) : 1)
        let exempt = configuration.tenancy.exemptLocal && prepared.decision.chain.allSatisfy(\.price.isFree)
        let now = Date()
        // Nearly every request is admitted at once, without the async call that waits.
        if let admission = try budgets.admitAtOnce(identity, amount: amount, exempt: exempt, now: now) {
            draft.admission = admission
        } else {
            draft.admission = try await budgets.admitOnceReservationsAllow(identity, amount: amount, now: now)
        }
        return prepared
    }

    /// Parses and validates the body, routes it and plans its gates (synchronous and not
    /// inlined, so its locals stay off the async frame).
    @inline(never)
    private func plan(
        _ body: ChatBody, request: Request, identity: CallerIdentity, decisionID: String, draft: inout LedgerDraft
    ) throws -> PreparedRequest {
        var chat: ChatCompletionRequest
        switch body {
        case .bytes(let bytes):
            chat = try ChatCompletionRequest(bytes: bytes.readableBytesView)
        case .messages(let messages):
            chat = try ChatCompletionRequest(json: .object(messages.chatBody))
            chat.anthropicBody = messages.clientBody
        }
        draft.note(request: chat)
        if let allowed = identity.key?.allowedModels, !allowed.contains(chat.model) {
            throw GatewayError(
                status: 403, type: "permission_error", code: "model_not_allowed", param: "model",
                message: "This key may not use '\(chat.model)'; it may use: \(allowed.sorted().joined(separator: ", ")).")
        }
        let hints = switchyardHeaders(request.headers)
        let deadline = draft.received + (try requestTimeout(hints) ?? configuration.resilience.retry.deadline)
        let routingRequest = try RoutingRequest(chat: chat, headers: hints)
        var decision = try route(routingRequest, decisionID: decisionID, identity: identity)
        draft.note(decision: decision, region: routingRequest.hints.region)
        if let tiers = identity.key?.allowedTiers {
            decision.chain = decision.chain.filter { tiers.contains($0.tier) }
            guard !decision.chain.isEmpty else {
                throw GatewayError.tierNotAllowed("This key may use the tiers \(tiers.sorted().joined(separator: ", ")); none can serve this request.")
            }
        }
        let gateOptions = try gates.validate(request: chat)
        let plan = gates.plan(forTask: decision.signals.task.value, options: gateOptions, model: decision.chosen)
        return PreparedRequest(
            chat: chat, decision: decision, gateOptions: gateOptions, gatePlan: plan,
            gated: Self.isGated(plan: plan, options: gateOptions, stream: chat.stream),
            deadline: deadline, clientHeaders: request.headers.map { (name: $0.name.canonicalName, value: $0.value) },
            decisionID: decisionID)
    }

    /// Runs the gated cascade and answers once an answer passed (or the cascade ran out), as
    /// JSON or as a buffered event stream.
    @inline(never)
    private func answerGated(_ prepared: PreparedRequest, draft: inout LedgerDraft) async throws -> Response {
        let outcome = try await cascade.run(prepared)
        return try gatedResponse(outcome, prepared: prepared, draft: &draft)
    }

    /// The response for a gated cascade's outcome (synchronous and not inlined, so its locals
    /// stay off the async frame).
    @inline(never)
    private func gatedResponse(
        _ outcome: consuming Result<GatedCascade.Outcome, ChainExecutor.Failure>, prepared: PreparedRequest, draft: inout LedgerDraft
    ) throws -> Response {
        let chat = prepared.chat
        var headers = prepared.headers
        let answer = try servedGated(outcome, decision: prepared.decision, headers: &headers, draft: &draft)
        headers.append(HTTPField(name: SwitchyardHeader.costUSD, value: formatUSD(answer.costUSD)))
        draft.note(usage: answer.completion.usage, price: answer.deployment.price, cost: answer.costUSD)
        draft.note(answer: answer.completion.summary)
        shadow?.offer(
            decisionID: prepared.decisionID, task: prepared.decision.signals.task.value, served: answer.deployment, request: chat,
            answer: answer.completion.summary.content)
        if chat.stream {
            headers.append(HTTPField(name: .contentType, value: "text/event-stream"))
            headers.append(HTTPField(name: .cacheControl, value: "no-cache"))
            headers.append(HTTPField(name: SwitchyardHeader.buffered, value: "true"))
            draft.noteFirstToken(at: .now)
            book(&draft)
            return Self.response(headers: &headers, body: BufferedStream.events(from: answer.body, includeUsage: chat.includeUsageInStream))
        }
        headers.append(HTTPField(name: .contentType, value: "application/json"))
        book(&draft)
        return Self.response(headers: &headers, body: ByteBuffer(bytes: answer.bodyBytes))
    }

    /// A `200` whose whole body is `body`, its `content-length` appended to the caller's
    /// `headers` in place: `Response.init` would set it through `HTTPFields`' subscript, and a
    /// list passed by value was still shared with the caller's frame, so the append copied every
    /// field (a retain and a release of each name and value).
    private static func response(headers: inout HTTPFields, body: ByteBuffer) -> Response {
        headers.append(HTTPField(name: .contentLength, value: String(body.readableBytes)))
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// Opens a stream along the chain and relays it. Nothing goes to the client before the first
    /// upstream chunk: up to then a failure (including an error event as the first chunk) still
    /// falls back along the chain.
    @inline(never)
    private func answerStream(_ prepared: PreparedRequest, logger: Logger, draft: inout LedgerDraft) async throws -> Response {
        let outcome = try await executor.execute(
            chain: prepared.decision.chain, request: prepared.chat, clientHeaders: prepared.clientHeaders, deadline: prepared.deadline
        ) {
            (adapter, call) throws(ProviderError) -> OpenedStream in
            var stream = try await adapter.stream(call)
            let first = try await stream.next()
            return OpenedStream(stream: stream, first: first)
        }
        return try streamResponse(outcome, prepared: prepared, logger: logger, draft: &draft)
    }

    /// The response that relays an opened stream (synchronous and not inlined, so its locals
    /// stay off the async frame).
    @inline(never)
    private func streamResponse(
        _ outcome: Result<ChainExecutor.Success<OpenedStream>, ChainExecutor.Failure>, prepared: PreparedRequest, logger: Logger,
        draft: inout LedgerDraft
    ) throws -> Response {
        var headers = prepared.headers
        let served = try served(outcome, decision: prepared.decision, headers: &headers, draft: &draft)
        headers.append(HTTPField(name: .contentType, value: "text/event-stream"))
        headers.append(HTTPField(name: .cacheControl, value: "no-cache"))
        let relay = StreamRelay(includeUsage: prepared.chat.includeUsageInStream, logger: logger)
        let opened = served.value
        let price = served.deployment.price
        let handler = self
        let relayStarted = ContinuousClock.now
        draft.noteFirstToken(at: relayStarted)
        let streamDraft = draft
        let shadowing = streamShadowing(prepared, served: served.deployment)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var draft = streamDraft
            do {
                let outcome: StreamRelay.Outcome
                if let shadowing {
                    var transcribing: any ResponseBodyWriter = TranscribingWriter(parent: writer, transcript: shadowing.transcript)
                    outcome = try await relay.relay(first: opened.first, of: opened.stream, to: &transcribing)
                } else {
                    outcome = try await relay.relay(first: opened.first, of: opened.stream, to: &writer)
                }
                draft.noteStreamed(for: .now - relayStarted)
                draft.note(usage: outcome.usage, price: price)
                if let error = outcome.error { draft.note(streamError: error.errorClass) }
                handler.book(&draft)
                if outcome.error == nil { shadowing?.offer() }
            } catch {
                // The client went away mid-stream: book what was served so far.
                draft.noteStreamed(for: .now - relayStarted)
                draft.note(streamError: "client_disconnected")
                handler.book(&draft)
                throw error
            }
        })
    }

    /// The transcript to keep of a stream sampled for shadow evaluation, and how to offer its
    /// answer once the stream has ended; `nil` (nothing read) for a stream not sampled.
    private func streamShadowing(_ prepared: PreparedRequest, served: ModelDeployment) -> StreamShadowing? {
        guard let shadow else { return nil }
        let task = prepared.decision.signals.task.value
        guard shadow.samples(decisionID: prepared.decisionID, task: task, served: served) else { return nil }
        let transcript = StreamAnswerTranscript()
        let decisionID = prepared.decisionID, request = prepared.chat
        return StreamShadowing(transcript: transcript) {
            shadow.queue(decisionID: decisionID, task: task, served: served, request: request, answer: transcript.answer)
        }
    }

    /// Sends the request along the chain and answers with the provider's JSON body.
    @inline(never)
    private func answerPlain(_ prepared: PreparedRequest, draft: inout LedgerDraft) async throws -> Response {
        let outcome = try await executor.execute(
            chain: prepared.decision.chain, request: prepared.chat, clientHeaders: prepared.clientHeaders, deadline: prepared.deadline,
            usage: \.usage
        ) {
            (adapter, call) throws(ProviderError) -> ProviderCompletion in
            try await adapter.complete(call)
        }
        return try plainResponse(outcome, prepared: prepared, draft: &draft)
    }

    /// The response for a plain answer (synchronous and not inlined, so its locals stay off the
    /// async frame).
    @inline(never)
    private func plainResponse(
        _ outcome: Result<ChainExecutor.Success<ProviderCompletion>, ChainExecutor.Failure>, prepared: PreparedRequest,
        draft: inout LedgerDraft
    ) throws -> Response {
        var headers = prepared.headers
        let served = try served(outcome, decision: prepared.decision, headers: &headers, draft: &draft)
        headers.append(HTTPField(name: .contentType, value: "application/json"))
        if let usage = served.value.usage {
            headers.append(HTTPField(name: SwitchyardHeader.costUSD, value: formatUSD(served.deployment.price.cost(of: usage))))
        }
        draft.note(usage: served.value.usage, price: served.deployment.price)
        draft.note(answer: served.value.summary)
        shadow?.offer(
            decisionID: prepared.decisionID, task: prepared.decision.signals.task.value, served: served.deployment, request: prepared.chat,
            answer: served.value.summary.content)
        book(&draft)
        return Self.response(headers: &headers, body: ByteBuffer(bytes: served.value.bodyBytes))
    }

    /// Routes a parsed request; the context carries what the gateway knows now.
    func route(_ chat: ChatCompletionRequest, hints: [String: String], decisionID: String, userTier: UserTier = .pro) throws(GatewayError) -> RoutingDecision {
        try route(RoutingRequest(chat: chat, headers: hints), decisionID: decisionID, userTier: userTier)
    }

    /// Routes a request whose hints are already read.
    func route(_ routingRequest: RoutingRequest, decisionID: String, userTier: UserTier = .pro) throws(GatewayError) -> RoutingDecision {
        try route(routingRequest, decisionID: decisionID, identity: .anonymous, userTier: userTier)
    }

    /// Routes for `identity`: its tenant's user tier, allowed regions and budget utilization
    /// (which the policy's `budget_stress` rules act on) shape the chain.
    @inline(never)
    func route(
        _ routingRequest: RoutingRequest, decisionID: String, identity: CallerIdentity, userTier: UserTier = .pro
    ) throws(GatewayError) -> RoutingDecision {
        let now = Date()
        let context = RoutingContext(
            decisionID: decisionID, tenant: identity.tenant?.id, userTier: identity.tenant?.userTier ?? userTier,
            allowedRegions: identity.tenant?.allowedRegions, now: now, budgetUtilization: budgets.utilization(of: identity, now: now),
            session: routingRequest.hints.session.flatMap { sessions.state(for: $0, now: now) },
            unavailableDeployments: monitor.unavailableDeployments(now: .now), shadowDemotions: shadow?.demotions ?? .none)
        return try engine.route(routingRequest, context: context)
    }

    /// The most a request can cost: its prompt (over-estimated at 3 bytes a token, plus framing)
    /// and its longest possible answer, at the priciest deployment of the chain, for each answer
    /// a gated cascade may produce.
    func worstCase(_ chat: ChatCompletionRequest, chain: [ModelDeployment], answers: Int) -> BudgetAccount.Amount {
        let input = chat.promptByteCount / 3 + 8 * chat.messages.count + 8
        var usd = 0.0
        var tokens = 0
        for deployment in chain {
            let output = min(chat.maxOutputTokens ?? deployment.maxOutputTokens, deployment.maxOutputTokens)
            usd = max(usd, deployment.price.cost(of: TokenUsage(promptTokens: input, completionTokens: output)))
            tokens = max(tokens, input + output)
        }
        return BudgetAccount.Amount(usd: usd * Double(answers), tokens: tokens * answers)
    }

    /// Books the outcome of executing the chain: the decision log, session memory and the
    /// response headers; returns the success or throws the chain's error. A gated answer's
    /// outcome adds its gate reports, escalations and cost to the record.
    @inline(never)
    private func served<Value>(
        _ outcome: Result<ChainExecutor.Success<Value>, ChainExecutor.Failure>, decision: RoutingDecision, headers: inout HTTPFields,
        draft: inout LedgerDraft, gated: GatedBooking? = nil
    ) throws -> ChainExecutor.Success<Value> {
        let attempts: [AttemptRecord]
        switch outcome {
        case .success(let success): attempts = success.attempts
        case .failure(let failure): attempts = failure.attempts
        }
        // Escalations are not fallbacks: a cascade counts moves within each run of the chain.
        let fallbacks = gated?.fallbacks ?? ChainExecutor.fallbackCount(attempts)
        // The record as the ledger stores it: the attempts and gate reports have columns of
        // their own, and `GET /v1/decisions/{id}` puts them back (DecisionRecordText). Member
        // names are tokens, half the bytes the ledger writer has to store.
        var record = JSONObjectWriter(namesAsTokens: true)
        decision.record.write(into: &record)
        record.int(.fallbacks, fallbacks)
        switch outcome {
        case .success(let success):
            record.string(.served, success.deployment.name)
            let gatesJSON = gated.map { JSONObjectWriter.arrayText($0.reports, namesAsTokens: true) { $1.write(into: &$0) } }
            if let gated, let gatesJSON {
                draft.note(gatesJSON: gatesJSON)
                record.int(.escalations, gated.escalations)
                if let reason = gated.escalationReason { record.string(.escalationReason, reason) }
                if let review = gated.reviewID { record.string(.reviewID, review) }
                record.double(.costUSD, gated.costUSD)
            }
            let text = record.finishString()
            decisions.append(id: decision.record.id ?? "", stored: text, attempts: attempts, gatesJSON: gatesJSON)
            draft.note(attempts: attempts, served: success.deployment, chain: decision.chain, fallbacks: fallbacks, record: text)
            if let session = decision.session {
                sessions.noteServed(
                    session: session, tier: success.deployment.tier, escalated: decision.escalated || (gated?.escalations ?? 0) > 0,
                    now: Date())
            }
            // Appended: none of these is set before a chain is served.
            headers.append(HTTPField(name: SwitchyardHeader.model, value: success.deployment.name))
            headers.append(HTTPField(name: SwitchyardHeader.provider, value: success.deployment.provider))
            headers.append(HTTPField(name: SwitchyardHeader.tier, value: success.deployment.tier))
            headers.append(HTTPField(name: SwitchyardHeader.fallbacks, value: String(fallbacks)))
            return success
        case .failure(let failure):
            record.value("error", failure.error.json["error"] ?? .null)
            let text = record.finishString()
            decisions.append(id: decision.record.id ?? "", stored: text, attempts: attempts)
            draft.note(attempts: attempts, served: nil, chain: decision.chain, fallbacks: fallbacks, record: text)
            throw failure.error
        }
    }

    /// What ``served(_:decision:headers:draft:gated:)`` books of a gated outcome: its few
    /// fields, not a copy of the whole outcome.
    struct GatedBooking {
        var reports: [GatedCascade.AnswerReport]
        var escalations: Int
        var fallbacks: Int
        var escalationReason: String?
        var reviewID: String?
        var costUSD: Double

        init(_ outcome: borrowing GatedCascade.Outcome) {
            reports = outcome.reports
            escalations = outcome.escalations
            fallbacks = outcome.fallbacks
            escalationReason = outcome.escalationReason
            reviewID = outcome.reviewID
            costUSD = outcome.costUSD
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

    /// Books a gated answer like ``served(_:decision:headers:draft:gated:)``, plus gate
    /// reports, escalation and review flags.
    @inline(never)
    private func servedGated(
        _ outcome: consuming Result<GatedCascade.Outcome, ChainExecutor.Failure>, decision: RoutingDecision, headers: inout HTTPFields,
        draft: inout LedgerDraft
    ) throws -> GatedCascade.Outcome {
        // Consumed, not copied: the outcome holds the completion, the deployment and every
        // report, and a copy retains each string and array in them.
        switch consume outcome {
        case .failure(let failure):
            _ = try served(
                Result<ChainExecutor.Success<Void>, ChainExecutor.Failure>.failure(failure), decision: decision, headers: &headers, draft: &draft)
            throw failure.error
        case .success(let answer):
            _ = try served(
                .success(ChainExecutor.Success(value: (), deployment: answer.deployment, attempts: answer.attempts)), decision: decision,
                headers: &headers, draft: &draft, gated: GatedBooking(answer))
            draft.note(escalations: answer.escalations, reason: answer.escalationReason, reviewID: answer.reviewID)
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
/// the client declares it), and a compressed one with 415 (rather than as JSON that does not
/// parse). `collected` is the body when the server has already read it.
func collectBody(_ request: Request, limit: Int, collected: ByteBuffer? = nil) async throws -> ByteBuffer {
    if let declared = request.headers.value(of: .contentLength).flatMap(Int.init), declared > limit {
        throw GatewayError.payloadTooLarge(limitBytes: limit)
    }
    if let encoding = request.headers.value(of: .contentEncoding), encoding.lowercased() != "identity" {
        throw GatewayError(
            status: 415, type: "invalid_request_error", code: "unsupported_content_encoding",
            message: "The request body is encoded (Content-Encoding: \(encoding)); the gateway reads bodies only as they are: send it uncompressed.")
    }
    if let collected {
        guard collected.readableBytes <= limit else { throw GatewayError.payloadTooLarge(limitBytes: limit) }
        return collected
    }
    do {
        return try await request.body.collect(upTo: limit)
    } catch is NIOTooManyBytesError {
        throw GatewayError.payloadTooLarge(limitBytes: limit)
    }
}

/// A stream sampled for shadow evaluation: the transcript its writer keeps, and the offer of
/// the answer to make once the stream has ended well.
struct StreamShadowing: Sendable {
    let transcript: StreamAnswerTranscript
    let offer: @Sendable () -> Void
}

/// A chat request's body as ``ChatCompletionsHandler`` gets it: bytes to parse, or a Messages
/// request already parsed and translated.
private enum ChatBody {
    case bytes(ByteBuffer)
    case messages(AnthropicMessagesRequest)
}

/// The wire format a chat request came in.
enum ChatIngress: Sendable {
    /// OpenAI's chat completions (`/v1/chat/completions`): the body is read from the request.
    case chatCompletions
    /// Anthropic's Messages API (`/v1/messages`), read and translated by ``MessagesHandler``:
    /// the chat route serves its ``AnthropicMessagesRequest/chatBody`` without reading the
    /// request's body, and a provider of kind `anthropic` gets the client's own body
    /// (``ChatCompletionRequest/anthropicBody``).
    case messages(AnthropicMessagesRequest)

    /// The ledger's name for it.
    var endpoint: String {
        switch self {
        case .chatCompletions: return "chat.completions"
        case .messages: return "messages"
        }
    }
}
