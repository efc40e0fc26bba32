import Logging
import Synchronization
import SwitchyardCore

/// Counts, per task and tier, how often a low tier's answer passed its gates and how often the
/// request escalated — the *routing effectiveness score* (successful low-tier answers ÷ low-tier
/// attempts) and the escalation rate the telemetry issue publishes. Logs an alert line when a
/// task's escalation rate crosses the configured ceiling (once per crossing).
final class CascadeStatistics: Sendable {
    struct Counts: Sendable, Hashable {
        /// Gated answers produced at this tier.
        var attempts = 0
        /// Of those, answers that passed their gates.
        var passed = 0
    }

    struct TaskCounts: Sendable {
        var requests = 0
        var escalated = 0
        var alerting = false
    }

    private struct State {
        var byTaskAndTier: [String: [String: Counts]] = [:]
        var byTask: [String: TaskCounts] = [:]
    }

    private let state = Mutex(State())
    let escalationCeiling: Double
    /// Requests a task needs before its rate can raise an alert.
    let minimumSample: Int
    let logger: Logger

    init(escalationCeiling: Double, minimumSample: Int = 20, logger: Logger) {
        self.escalationCeiling = escalationCeiling
        self.minimumSample = minimumSample
        self.logger = logger
    }

    /// Records one gated answer at `tier` and whether it passed.
    func recordAnswer(task: String, tier: String, passed: Bool) {
        state.withLock { state in
            state.byTaskAndTier[task, default: [:]][tier, default: Counts()].attempts += 1
            if passed { state.byTaskAndTier[task, default: [:]][tier, default: Counts()].passed += 1 }
        }
    }

    /// Records one finished gated request and whether it escalated; alerts on a ceiling crossing.
    func recordRequest(task: String, escalated: Bool) {
        let alert: (rate: Double, requests: Int)? = state.withLock { state in
            var counts = state.byTask[task, default: TaskCounts()]
            counts.requests += 1
            if escalated { counts.escalated += 1 }
            let rate = Double(counts.escalated) / Double(counts.requests)
            var alert: (Double, Int)?
            if counts.requests >= minimumSample, rate > escalationCeiling, !counts.alerting {
                counts.alerting = true
                alert = (rate, counts.requests)
            } else if rate <= escalationCeiling {
                counts.alerting = false
            }
            state.byTask[task] = counts
            return alert
        }
        if let alert {
            logger.warning(
                "escalation rate above ceiling",
                metadata: [
                    "task": "\(task)", "escalation_rate": "\(alert.rate)", "ceiling": "\(escalationCeiling)", "requests": "\(alert.requests)",
                ])
        }
    }

    /// Escalation rate and effectiveness per task and tier, as JSON.
    var json: JSONValue {
        state.withLock { state in
            var tasks = JSONObject()
            for task in Set(state.byTask.keys).union(state.byTaskAndTier.keys).sorted() {
                let counts = state.byTask[task] ?? TaskCounts()
                var tiers = JSONObject()
                for (tier, tierCounts) in (state.byTaskAndTier[task] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    tiers[tier] = [
                        "attempts": .int(Int64(tierCounts.attempts)), "passed": .int(Int64(tierCounts.passed)),
                        "effectiveness": tierCounts.attempts == 0 ? .null : .double(Double(tierCounts.passed) / Double(tierCounts.attempts)),
                    ]
                }
                tasks[task] = [
                    "requests": .int(Int64(counts.requests)), "escalated": .int(Int64(counts.escalated)),
                    "escalation_rate": counts.requests == 0 ? .null : .double(Double(counts.escalated) / Double(counts.requests)),
                    "tiers": .object(tiers),
                ]
            }
            return ["escalation_ceiling": .double(escalationCeiling), "tasks": .object(tasks)]
        }
    }
}
