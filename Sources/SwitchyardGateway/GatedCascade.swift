import Foundation
import Logging
import SwitchyardCore

/// The cascade inside the gateway: the cheapest tier answers first, gates judge the answer, a
/// weak answer is repaired once (JSON) or retried one tier up, and the caller only sees the
/// answer that passed — or the last one, flagged for human review, when escalation is exhausted
/// or forbidden.
///
/// A class, so the closures and calls of every request share it instead of copying its
/// configuration (a copy of the struct was some 300 reference-count operations per request).
final class GatedCascade: Sendable {
    let gates: GateEvaluator
    let executor: ChainExecutor
    let reviews: ReviewQueue
    let statistics: CascadeStatistics
    let tierRank: [String: Int]

    init(gates: GateEvaluator, executor: ChainExecutor, reviews: ReviewQueue, statistics: CascadeStatistics, tierRank: [String: Int]) {
        self.gates = gates
        self.executor = executor
        self.reviews = reviews
        self.statistics = statistics
        self.tierRank = tierRank
    }

    /// The answer the caller gets and how it was reached.
    struct Outcome {
        var completion: ProviderCompletion
        /// The answer's body, parsed, when the gateway changed it (stripped logprobs the client
        /// did not ask for); otherwise the completion's.
        var strippedBody: JSONObject?
        /// The body as the client receives it, serialised: the provider's own bytes unless
        /// something was stripped.
        var bodyBytes: [UInt8]
        var deployment: ModelDeployment
        var attempts: [AttemptRecord]
        /// One entry per gated answer: deployment, tier and the gate report.
        var reports: [AnswerReport]
        var escalations: Int
        /// Moves to another deployment caused by failures (not by gates), over every run.
        var fallbacks: Int
        var escalationReason: String?
        var reviewID: String?
        /// Cost of every answer produced on the way (escalated-from answers included).
        var costUSD: Double

        /// The answer's body as the client receives it (parsed on first read).
        var body: JSONObject { strippedBody ?? completion.body }
    }

    /// What the gates said of one answer, and which deployment gave it.
    struct AnswerReport: Sendable {
        var model: String
        var tier: String
        var report: GateReport

        /// `{"model", "tier", "report"}`, as the decision record and the review queue show it.
        var json: JSONValue { ["model": .string(model), "tier": .string(tier), "report": report.json] }

        /// Writes the members of ``json`` into `writer`, without building the tree.
        func write(into writer: inout JSONObjectWriter) {
            writer.string(.model, model)
            writer.string(.tier, tier)
            writer.object(.report) { report.write(into: &$0) }
        }
    }

    /// Where a cascade stands between two runs of the chain.
    struct Progress {
        /// The request as the client sent it, routed and with its first gates planned.
        let prepared: ChatCompletionsHandler.PreparedRequest
        var chain: [ModelDeployment]
        /// The request the next run sends (a repair adds the failed answer and an instruction).
        var request: ChatCompletionRequest
        var attempts: [AttemptRecord] = []
        var reports: [AnswerReport] = []
        var escalations = 0
        var repairs = 0
        var escalationReason: String?
        var costUSD = 0.0
        var fallbacks = 0

        init(prepared: ChatCompletionsHandler.PreparedRequest) {
            self.prepared = prepared
            chain = prepared.decision.chain
            request = prepared.chat
        }

        /// The gates for `deployment`: the plan made already for the chain's first deployment
        /// when it is that one.
        func plan(for deployment: ModelDeployment, make: () -> GatePlan) -> GatePlan {
            if deployment.name == prepared.decision.chain.first?.name { return prepared.gatePlan }
            return make()
        }
    }

    /// Runs the cascade for `prepared` along its chain; the gates planned already for the chain's
    /// first deployment are used when that deployment answers.
    ///
    /// Takes the prepared request whole, by reference: its pieces passed one by one (about 1,000
    /// bytes) were copied into this function's async frame and the caller's, and held there for
    /// the whole exchange.
    @inline(never)
    func run(_ prepared: ChatCompletionsHandler.PreparedRequest) async throws -> Result<Outcome, ChainExecutor.Failure> {
        var progress = Progress(prepared: prepared)
        while true {
            let outcome = try await executor.execute(
                chain: progress.chain, request: progress.request, clientHeaders: prepared.clientHeaders, deadline: prepared.deadline,
                usage: \.usage
            ) { (adapter, call) throws(ProviderError) -> ProviderCompletion in
                try await adapter.complete(self.askingForLogprobs(call, prepared: prepared))
            }
            if let result = judge(outcome, progress: &progress) { return result }
        }
    }

    /// `call`, asking for log-probabilities when a gate for its deployment reads them and the
    /// client did not ask. Synchronous and not inlined, so editing the body stays off the async
    /// frame of the call it feeds.
    @inline(never)
    private func askingForLogprobs(_ call: ProviderCall, prepared: ChatCompletionsHandler.PreparedRequest) -> ProviderCall {
        guard !prepared.chat.logprobs,
            gates.wantsLogprobs(task: prepared.decision.signals.task.value, options: prepared.gateOptions, model: call.deployment)
        else { return call }
        var call = call
        call.request.body["logprobs"] = .bool(true)
        return call
    }

    /// Gates one run's answer: returns the cascade's result, or `nil` after setting up the next
    /// run (a repair or an escalation). Synchronous and not inlined, so its temporaries stay off
    /// `run`'s async frame (a connection's task keeps its deepest frame stack while it lives).
    @inline(never)
    private func judge(
        _ outcome: Result<ChainExecutor.Success<ProviderCompletion>, ChainExecutor.Failure>, progress: inout Progress
    ) -> Result<Outcome, ChainExecutor.Failure>? {
        let chat = progress.prepared.chat
        let options = progress.prepared.gateOptions
        let decision = progress.prepared.decision
        let task = decision.signals.task.value
        let served: ChainExecutor.Success<ProviderCompletion>
        switch outcome {
        case .success(let success): served = success
        case .failure(var failure):
            failure.attempts = progress.attempts + failure.attempts
            return .failure(failure)
        }
        progress.attempts += served.attempts
        progress.fallbacks += ChainExecutor.fallbackCount(served.attempts)
        let deployment = served.deployment
        let completion = served.value
        if let usage = completion.usage { progress.costUSD += deployment.price.cost(of: usage) }

        let plan = progress.plan(for: deployment) { gates.plan(forTask: task, options: options, model: deployment) }
        let report = plan.evaluate(Self.gateInput(completion.summary, task: task, request: chat))
        statistics.recordAnswer(task: task, tier: deployment.tier, passed: report.passed)
        progress.reports.append(AnswerReport(model: deployment.name, tier: deployment.tier, report: report))

        let tierRank = tierRank
        let rank = tierRank[deployment.tier] ?? 0
        let isHigher = { (candidate: ModelDeployment) in (tierRank[candidate.tier] ?? 0) > rank }
        let step = gates.nextStep(
            after: report, plan: plan, repairsUsed: progress.repairs, escalationsUsed: progress.escalations,
            escalationAllowed: decision.escalationAllowed, hasHigherTier: progress.chain.contains(where: isHigher))
        var reviewReason: String?
        switch step {
        case .accept:
            break
        case .acceptForReview:
            reviewReason = "uncertain answer: " + (report.results.first { $0.score < 1 }?.reason ?? "in the uncertain band")
        case .repair(let instruction):
            progress.repairs += 1
            progress.request = Self.repairRequest(chat, answer: completion.body, instruction: instruction)
            progress.chain = [deployment] + progress.chain.filter(isHigher)
            return nil
        case .escalate(let failure):
            progress.escalations += 1
            progress.escalationReason = "\(failure.gate): \(failure.reason)"
            progress.request = chat
            progress.chain = progress.chain.filter(isHigher)
            return nil
        case .reviewFailure(let failure):
            reviewReason = "failed gate \(failure.gate) at the highest tier allowed: \(failure.reason)"
        }
        statistics.recordRequest(task: task, escalated: progress.escalations > 0)
        var reviewID: String?
        if let reviewReason {
            reviewID = reviews.flag(
                decisionID: decision.record.id ?? "", task: task, model: deployment.name, tier: deployment.tier, reason: reviewReason,
                gates: .array(progress.reports.map(\.json)))
        }
        // Only an answer with logprobs the client did not ask for is parsed and written again.
        var strippedBody: JSONObject?
        if !chat.logprobs, completion.summary.anyChoiceHasLogprobs {
            var body = completion.body
            if Self.stripLogprobs(&body) { strippedBody = body }
        }
        return .success(Outcome(
            completion: completion, strippedBody: strippedBody, bodyBytes: strippedBody.map { JSONWriter.bytes(.object($0)) } ?? completion.bodyBytes,
            deployment: deployment, attempts: progress.attempts, reports: progress.reports, escalations: progress.escalations,
            fallbacks: progress.fallbacks, escalationReason: progress.escalationReason, reviewID: reviewID, costUSD: progress.costUSD))
    }

    /// What the gates see of an OpenAI chat completion.
    static func gateInput(_ answer: ChatCompletionSummary, task: String, request: ChatCompletionRequest) -> GateInput {
        GateInput(
            content: answer.content ?? "", finishReason: answer.finishReason, tokenLogprobs: answer.tokenLogprobs,
            hasToolCalls: answer.hasToolCalls, task: task, request: request)
    }

    /// The same request with the failed answer and the repair instruction appended.
    static func repairRequest(_ chat: ChatCompletionRequest, answer: JSONObject, instruction: String) -> ChatCompletionRequest {
        var repaired = chat
        var messages = chat.body["messages"]?.arrayValue ?? []
        let content = answer["choices"]?.arrayValue?.first?["message"]?["content"] ?? ""
        messages.append(["role": "assistant", "content": content])
        messages.append(["role": "user", "content": .string(instruction)])
        repaired.body["messages"] = .array(messages)
        repaired.messages += [ChatMessage(role: "assistant", text: content.stringValue ?? ""), ChatMessage(role: "user", text: instruction)]
        return repaired
    }

    /// Removes `choices[].logprobs` the gateway asked for but the client did not; returns whether
    /// anything was removed.
    static func stripLogprobs(_ body: inout JSONObject) -> Bool {
        guard let choices = body["choices"]?.arrayValue else { return false }
        func hasLogprobs(_ choice: JSONValue) -> Bool { (choice["logprobs"] ?? .null) != .null }
        // Most answers carry none: leave the body (shared with the completion) uncopied.
        guard choices.contains(where: hasLogprobs) else { return false }
        body["choices"] = .array(choices.map { choice in
            guard hasLogprobs(choice), var object = choice.objectValue else { return choice }
            object["logprobs"] = .null
            return .object(object)
        })
        return true
    }
}
