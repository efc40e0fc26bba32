import CoreMetrics
import Metrics
import Prometheus
import Synchronization
import SwitchyardCore
import SwitchyardStorage

/// The gateway's Prometheus metrics, behind `GET /metrics`.
///
/// Request, token, cost and latency metrics are fed from ledger batches by the background writer
/// (``LedgerObserver``), so the request path pays nothing for them. Gauges that describe the
/// present (queue depth, breaker states, rates) are read when scraped. Each gateway instance has
/// its own registry (no process-global state), exposed through swift-metrics' API.
///
/// Label values come from the configuration (tier, task, model, provider) plus the tenant, whose
/// distinct values are capped (`telemetry.max_tenant_labels`, then `other`) or switched off.
public final class GatewayMetrics: LedgerObserver, Sendable {
    /// Label values of one request's metrics.
    private struct Labels: Hashable {
        var tier: String
        var task: String
        var model: String
        var tenant: String
        var outcome: String

        var dimensions: [(String, String)] {
            [("tier", tier), ("task", task), ("model", model), ("tenant", tenant), ("outcome", outcome)]
        }
    }

    /// The swift-metrics handles of one label set, made once.
    private struct Handles {
        var requests: CoreMetrics.Counter
        var inputTokens: CoreMetrics.Counter
        var outputTokens: CoreMetrics.Counter
        var cachedTokens: CoreMetrics.Counter
        var cost: FloatingPointCounter
        var baselineCost: FloatingPointCounter
        var escalations: CoreMetrics.Counter
        var fallbacks: CoreMetrics.Counter
    }

    private struct State {
        var handles: [Labels: Handles] = [:]
        var tenants: Set<String> = []
        var requests = 0
        var escalated = 0
        var baselineUSD = 0.0
        var acceptedSavingsUSD = 0.0
        /// The recorder's totals as last added to their counters.
        var reportedDrops = 0
        var reportedLowPriorityFlushes = 0
        var reportedNormalFlushes = 0
        var reportedHandovers = 0
    }

    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let settings: TelemetrySettings
    private let state = Mutex(State())
    private let totalLatency: CoreMetrics.Timer
    private let upstreamLatency: CoreMetrics.Timer
    private let overhead: CoreMetrics.Timer
    private let timeToFirstToken: CoreMetrics.Timer
    private let queueDepth: CoreMetrics.Gauge
    private let dropped: CoreMetrics.Counter
    /// The ledger writer's flushes by the priority they ran at (counted by the recorder, added
    /// at scrape time).
    private let lowPriorityFlushes: CoreMetrics.Counter
    private let normalFlushes: CoreMetrics.Counter
    private let flushHandovers: CoreMetrics.Counter
    private let escalationRate: CoreMetrics.Gauge
    private let effectiveness: CoreMetrics.Gauge

    public init(settings: TelemetrySettings) {
        self.settings = settings
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        self.factory = factory
        totalLatency = CoreMetrics.Timer(label: "switchyard_request_duration_seconds", factory: factory)
        upstreamLatency = CoreMetrics.Timer(label: "switchyard_upstream_duration_seconds", factory: factory)
        overhead = CoreMetrics.Timer(label: "switchyard_gateway_overhead_seconds", factory: factory)
        timeToFirstToken = CoreMetrics.Timer(label: "switchyard_time_to_first_token_seconds", factory: factory)
        queueDepth = CoreMetrics.Gauge(label: "switchyard_ledger_queue_depth", factory: factory)
        dropped = CoreMetrics.Counter(label: "switchyard_ledger_dropped_total", factory: factory)
        lowPriorityFlushes = CoreMetrics.Counter(label: "switchyard_ledger_flushes_total", dimensions: [("priority", "low")], factory: factory)
        normalFlushes = CoreMetrics.Counter(label: "switchyard_ledger_flushes_total", dimensions: [("priority", "normal")], factory: factory)
        flushHandovers = CoreMetrics.Counter(label: "switchyard_ledger_flush_handovers_total", factory: factory)
        escalationRate = CoreMetrics.Gauge(label: "switchyard_escalation_rate", factory: factory)
        effectiveness = CoreMetrics.Gauge(label: "switchyard_routing_effectiveness", factory: factory)
    }

    public func observe(_ batch: [LedgerEntry]) {
        state.withLock { state in
            for entry in batch { record(entry, into: &state) }
        }
    }

    private func record(_ entry: LedgerEntry, into state: inout State) {
        // The gateway's own evaluation calls are not requests: counted apart, by verdict.
        if entry.endpoint == ShadowEvaluator.endpoint { return recordShadow(entry) }
        let labels = Labels(
            tier: entry.tier ?? "none", task: entry.task ?? "none", model: entry.model ?? "none",
            tenant: tenantLabel(entry.tenant, state: &state), outcome: entry.succeeded ? "success" : "error")
        // One hash of the five labels for a known set, not a lookup and a store.
        let handles: Handles
        if let known = state.handles[labels] {
            handles = known
        } else {
            handles = makeHandles(labels)
            state.handles[labels] = handles
        }
        handles.requests.increment()
        handles.inputTokens.increment(by: Int64(entry.inputTokens))
        handles.outputTokens.increment(by: Int64(entry.outputTokens))
        handles.cachedTokens.increment(by: Int64(entry.cachedTokens))
        handles.cost.increment(by: entry.costUSD)
        handles.baselineCost.increment(by: entry.baselineCostUSD)
        if entry.escalated { handles.escalations.increment() }
        if entry.fallbacks > 0 { handles.fallbacks.increment(by: Int64(entry.fallbacks)) }
        totalLatency.recordNanoseconds(entry.latency.nanoseconds)
        upstreamLatency.recordNanoseconds(entry.upstreamLatency.nanoseconds)
        overhead.recordNanoseconds(entry.gatewayOverhead.nanoseconds)
        if let ttft = entry.timeToFirstToken { timeToFirstToken.recordNanoseconds(ttft.nanoseconds) }

        state.requests += 1
        if entry.escalated { state.escalated += 1 }
        state.baselineUSD += entry.baselineCostUSD
        if entry.succeeded, entry.reviewID == nil { state.acceptedSavingsUSD += entry.savingsUSD }
    }

    private func tenantLabel(_ tenant: String?, state: inout State) -> String {
        guard settings.tenantLabel else { return "all" }
        guard let tenant else { return "none" }
        if state.tenants.contains(tenant) { return tenant }
        guard state.tenants.count < settings.maxTenantLabels else { return "other" }
        state.tenants.insert(tenant)
        return tenant
    }

    private func makeHandles(_ labels: Labels) -> Handles {
        let dimensions = labels.dimensions
        let withoutOutcome = Array(dimensions.dropLast())
        func tokens(_ kind: String) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: "switchyard_tokens_total", dimensions: withoutOutcome + [("kind", kind)], factory: factory)
        }
        return Handles(
            requests: CoreMetrics.Counter(label: "switchyard_requests_total", dimensions: dimensions, factory: factory),
            inputTokens: tokens("input"), outputTokens: tokens("output"), cachedTokens: tokens("cached"),
            cost: FloatingPointCounter(label: "switchyard_cost_usd_total", dimensions: withoutOutcome, factory: factory),
            baselineCost: FloatingPointCounter(label: "switchyard_baseline_cost_usd_total", dimensions: withoutOutcome, factory: factory),
            escalations: CoreMetrics.Counter(label: "switchyard_escalations_total", dimensions: withoutOutcome, factory: factory),
            fallbacks: CoreMetrics.Counter(label: "switchyard_fallbacks_total", dimensions: withoutOutcome, factory: factory))
    }

    /// A shadow call: its verdict on the answer it checked (task, and the model that answered),
    /// and what it cost.
    private func recordShadow(_ entry: LedgerEntry) {
        let verdict = entry.succeeded ? (entry.reasons.last == ShadowEvaluator.agrees ? ShadowEvaluator.agrees : ShadowEvaluator.disagrees) : "error"
        let dimensions = [("task", entry.task ?? "none"), ("model", entry.requestedModel ?? "none")]
        CoreMetrics.Counter(label: "switchyard_shadow_verdicts_total", dimensions: dimensions + [("verdict", verdict)], factory: factory).increment()
        FloatingPointCounter(label: "switchyard_shadow_cost_usd_total", dimensions: dimensions, factory: factory).increment(by: entry.costUSD)
    }

    /// Counts a budget or session alert.
    func countAlert(kind: String) {
        CoreMetrics.Counter(label: "switchyard_budget_alerts_total", dimensions: [("kind", kind)], factory: factory).increment()
    }

    /// Adds to `counter` what `total` (a count the recorder keeps) gained since the last scrape.
    private func advance(_ counter: CoreMetrics.Counter, to total: Int, reported: WritableKeyPath<State, Int>) {
        let gained = state.withLock { state -> Int in
            defer { state[keyPath: reported] = total }
            return total - state[keyPath: reported]
        }
        if gained > 0 { counter.increment(by: Int64(gained)) }
    }

    /// The Prometheus text exposition, with the present-state gauges refreshed first.
    func exposition(recorder: LedgerRecorder?, monitor: DeploymentMonitor, deployments: [ModelDeployment], providers: ProviderRegistry? = nil) -> [UInt8] {
        if let recorder {
            queueDepth.record(recorder.depth)
            advance(dropped, to: recorder.dropped, reported: \.reportedDrops)
            let flushes = recorder.flushesByPriority
            advance(lowPriorityFlushes, to: flushes.low, reported: \.reportedLowPriorityFlushes)
            advance(normalFlushes, to: flushes.normal, reported: \.reportedNormalFlushes)
            advance(flushHandovers, to: recorder.handedOverFlushes, reported: \.reportedHandovers)
        }
        let (requests, escalated, baseline, saved) = state.withLock { ($0.requests, $0.escalated, $0.baselineUSD, $0.acceptedSavingsUSD) }
        escalationRate.record(requests > 0 ? Double(escalated) / Double(requests) : 0)
        effectiveness.record(baseline > 0 ? saved / baseline : 0)
        for deployment in deployments {
            let value: Int
            switch monitor.breakerState(of: deployment.name) {
            case .closed: value = 0
            case .halfOpen: value = 1
            case .open: value = 2
            }
            CoreMetrics.Gauge(
                label: "switchyard_circuit_breaker_state", dimensions: [("model", deployment.name), ("provider", deployment.provider)],
                factory: factory
            ).record(value)
        }
        for (provider, open, idle) in providers?.connectionCounts() ?? [] {
            for (state, count) in [("busy", open - idle), ("idle", idle)] {
                CoreMetrics.Gauge(
                    label: "switchyard_upstream_connections", dimensions: [("provider", provider), ("state", state)], factory: factory
                ).record(count)
            }
        }
        return registry.emitToBuffer()
    }
}
