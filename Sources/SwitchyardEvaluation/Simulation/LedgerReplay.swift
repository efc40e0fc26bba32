import Foundation
import SwitchyardCore

/// Replays recorded traffic under another routing configuration (`switchyard simulate
/// --from-ledger`): what the same requests would have cost had a different policy routed them.
///
/// Each answered chat request of the ledger is routed again by the new configuration's engine,
/// with the signals it was recorded with (task, complexity, sensitivity — as metadata hints, so
/// the new rules cannot re-read a prompt the ledger does not keep), the requested model, and the
/// circumstances of the time (user tier, tenant, region, and the recorded instant, so time
/// windows apply as they would have). It is priced at the deployment the new policy chooses first
/// for the tokens the request actually used. Escalations and fallbacks depend on answers the
/// ledger does not keep, so they are reported as recorded, not re-simulated.
public struct LedgerReplay: Sendable {
    public let engine: RoutingEngine

    public init(engine: RoutingEngine) {
        self.engine = engine
    }

    /// Replays `entries` (oldest first or in any order).
    public func replay(_ entries: [LedgerEntry]) -> LedgerReplayReport {
        var report = LedgerReplayReport()
        let baseline = engine.baselineDeployment
        let tasks = Set(engine.configuration.routing.tasks.map(\.name))
        var byTask: [String: LedgerReplayReport.TaskRow] = [:]
        var moves: [LedgerReplayReport.TierMove: Int] = [:]
        var skipped: [String: Int] = [:]
        for entry in entries {
            report.entries += 1
            guard entry.endpoint == "chat.completions" || entry.endpoint == "messages" else {
                skipped["not a chat completion (\(entry.endpoint))", default: 0] += 1
                continue
            }
            guard entry.status == 200 else {
                skipped["error response (nothing was spent)", default: 0] += 1
                continue
            }
            guard entry.inputTokens + entry.outputTokens > 0 else {
                skipped["no recorded usage", default: 0] += 1
                continue
            }
            let taskKnown = entry.task.map(tasks.contains) ?? false
            if entry.task != nil, !taskKnown { report.reclassified += 1 }
            let request = RoutingRequest(
                model: entry.requestedModel ?? "auto", messages: [ChatMessage(role: "user", text: entry.prompt ?? "")],
                hints: RoutingHints(
                    task: taskKnown ? entry.task.map { Hint(value: $0, source: .metadataHeader, param: "ledger.task") } : nil,
                    complexity: entry.complexity.map { Hint(value: min(1, max(0, $0)), source: .metadataHeader, param: "ledger.complexity") },
                    sensitivity: entry.sensitivity.flatMap(Sensitivity.init(rawValue:)).map {
                        Hint(value: $0, source: .metadataHeader, param: "ledger.sensitivity")
                    },
                    region: entry.region))
            let context = RoutingContext(
                decisionID: entry.decisionID, tenant: entry.tenant, userTier: entry.userTier.flatMap(UserTier.init(rawValue:)) ?? .pro,
                requestRegion: entry.region, now: entry.time)
            let decision: RoutingDecision
            do {
                decision = try engine.route(request, context: context)
            } catch {
                skipped["the new policy refuses it: \(error.code ?? error.type)", default: 0] += 1
                continue
            }
            let usage = TokenUsage(promptTokens: entry.inputTokens, completionTokens: entry.outputTokens, cachedPromptTokens: entry.cachedTokens)
            let replayed = decision.chosen.price.cost(of: usage)
            let replayedBaseline = baseline?.price.cost(of: usage) ?? replayed
            report.replayed += 1
            report.recordedUSD += entry.costUSD
            report.recordedBaselineUSD += entry.baselineCostUSD
            report.replayedUSD += replayed
            report.baselineUSD += replayedBaseline
            report.recordedEscalations += entry.escalations > 0 ? 1 : 0
            report.recordedFallbacks += entry.fallbacks > 0 ? 1 : 0
            report.from = min(report.from ?? entry.time, entry.time)
            report.to = max(report.to ?? entry.time, entry.time)
            let task = decision.signals.task.value
            var row = byTask[task] ?? LedgerReplayReport.TaskRow(task: task)
            row.requests += 1
            row.recordedUSD += entry.costUSD
            row.replayedUSD += replayed
            row.baselineUSD += replayedBaseline
            byTask[task] = row
            moves[LedgerReplayReport.TierMove(from: entry.tier ?? "?", to: decision.chosen.tier, requests: 0), default: 0] += 1
        }
        report.tasks = byTask.values.sorted { ($0.replayedUSD, $0.task) > ($1.replayedUSD, $1.task) }
        report.moves = moves.map { move, count in LedgerReplayReport.TierMove(from: move.from, to: move.to, requests: count) }
            .sorted { ($0.requests, $0.from, $0.to) > ($1.requests, $1.from, $1.to) }
        report.skipped = skipped.map { LedgerReplayReport.Skip(reason: $0.key, requests: $0.value) }.sorted { $0.requests > $1.requests }
        return report
    }
}

/// What a ledger replay found.
public struct LedgerReplayReport: Sendable, Codable, Hashable {
    /// One task's share, as the new policy classified it.
    public struct TaskRow: Sendable, Codable, Hashable {
        public var task: String
        public var requests = 0
        public var recordedUSD = 0.0
        public var replayedUSD = 0.0
        /// The same tokens on the new configuration's baseline (premium) deployment.
        public var baselineUSD = 0.0

        public init(task: String) {
            self.task = task
        }
    }

    /// How many requests served on tier `from` would be served on tier `to`.
    public struct TierMove: Sendable, Codable, Hashable {
        public var from: String
        public var to: String
        public var requests: Int

        public init(from: String, to: String, requests: Int) {
            self.from = from
            self.to = to
            self.requests = requests
        }
    }

    /// Entries left out, by reason.
    public struct Skip: Sendable, Codable, Hashable {
        public var reason: String
        public var requests: Int

        public init(reason: String, requests: Int) {
            self.reason = reason
            self.requests = requests
        }
    }

    /// Ledger entries read.
    public var entries = 0
    /// Entries routed again and priced.
    public var replayed = 0
    /// Replayed entries whose recorded task the new taxonomy lacks (routed without a task hint).
    public var reclassified = 0
    /// Time of the first and last replayed entry.
    public var from: Date?
    public var to: Date?
    /// What the replayed entries cost as recorded, and on the recorded baseline.
    public var recordedUSD = 0.0
    public var recordedBaselineUSD = 0.0
    /// What they cost under the new policy, and on the new configuration's baseline.
    public var replayedUSD = 0.0
    public var baselineUSD = 0.0
    /// Replayed entries that were escalated or fell back when recorded.
    public var recordedEscalations = 0
    public var recordedFallbacks = 0
    public var tasks: [TaskRow] = []
    public var moves: [TierMove] = []
    public var skipped: [Skip] = []

    /// Replayed minus recorded cost (negative: the new policy is cheaper).
    public var changeUSD: Double { replayedUSD - recordedUSD }

    /// Factor that scales the replayed period to 30 days, when it spans at least an hour.
    public var monthlyFactor: Double? {
        guard let from, let to else { return nil }
        let span = to.timeIntervalSince(from)
        return span >= 3600 ? 30 * 86400 / span : nil
    }
}
