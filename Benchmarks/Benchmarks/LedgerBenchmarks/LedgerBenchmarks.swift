import Benchmark
import Foundation
import Logging
import SwitchyardCore
import SwitchyardStorage

/// What the request path pays for the ledger: building one request's entry (the fields a chat
/// request fills in, an attempt list and the decision record) and handing it to the recorder,
/// while the recorder's writer batches the stream into a real SQLite file (WAL) in the
/// background. Requests arrive at 5,000 per second (one every 200 µs, paced outside the
/// measurement), so the writer and the request path compete as they would in production.
let benchmarks: @Sendable () -> Void = {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-ledger-bench-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let store = try! SQLiteStore(path: directory.appendingPathComponent("ledger.sqlite").path)
    let recorder = LedgerRecorder(store: store, settings: LedgerSettings(), logger: logger)
    let writer = Task.detached { try await recorder.run() }
    // The chat handler writes the record's text once, for the decision log and the ledger.
    let decisionText = JSONWriter.string(sampleDecisionRecord())
    let attempts = [AttemptRecord(deployment: "gpt-4.1-mini", provider: "openai", status: 200, errorClass: nil, latency: .milliseconds(420))]
    let interval = Duration.microseconds(200)
    // Decision ids exist before the ledger sees the request (they are the request id).
    let ids = DecisionIDs()

    Benchmark(
        "Ledger: build and record one entry at 5k req/s",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(10), maxIterations: 40_000)
    ) { benchmark in
        // Pace to 5k/s without counting the wait.
        let next = ContinuousClock.now + interval
        while ContinuousClock.now < next {}
        benchmark.startMeasurement()
        var entry = LedgerEntry(decisionID: ids.next(), time: Date(), status: 200)
        entry.requestedModel = "auto"
        entry.tenant = "acme"
        entry.userTier = "pro"
        entry.task = "summarize"
        entry.taskSource = "rule"
        entry.complexity = 0.31
        entry.complexitySource = "heuristic"
        entry.sensitivity = "public"
        entry.reasons = ["policy.user_tiers.pro.ceiling: ceiling=premium"]
        entry.attempts = attempts
        entry.upstreamLatency = attempts[0].latency
        entry.provider = "openai"
        entry.model = "gpt-4.1-mini"
        entry.tier = "mid"
        entry.chainPosition = 0
        entry.inputTokens = 812
        entry.outputTokens = 96
        entry.costUSD = 0.000478
        entry.baselineCostUSD = 0.002392
        entry.decisionJSON = decisionText
        entry.latency = .milliseconds(421)
        blackHole(recorder.record(entry))
        benchmark.stopMeasurement()
    }
    _ = writer
}

/// A decision record of typical size (as the chat handler already builds it for the in-memory
/// decision log; the ledger stores the same value).
func sampleDecisionRecord() -> JSONValue {
    .object(JSONObject([
        ("id", "bench"), ("model", "auto"), ("mode", "auto"), ("tenant", "acme"), ("user_tier", "pro"),
        ("signals", .object(JSONObject([("task", "summarize"), ("complexity", 0.31)]))),
        ("chain", .array([.object(JSONObject([("model", "gpt-4.1-mini"), ("tier", "mid")]))])), ("chosen", "gpt-4.1-mini"),
    ]))
}

/// Request ids made ahead of time; only the benchmark's own thread uses it.
final class DecisionIDs: @unchecked Sendable {
    private let ids = (0..<4096).map { "req-\($0)" }
    private var index = 0

    func next() -> String {
        index = (index + 1) & 4095
        return ids[index]
    }
}
