import Foundation
import SwitchyardCore
import SwitchyardEvaluation
import Testing

@Suite("Ledger replay under another policy")
struct LedgerReplayTests {
    static let small = ModelDeployment(
        name: "small", provider: "p", upstreamModel: "small", tier: "light", price: ModelPrice(inputPerMillion: 0.2, outputPerMillion: 0.8))
    static let big = ModelDeployment(
        name: "big", provider: "p", upstreamModel: "big", tier: "premium", price: ModelPrice(inputPerMillion: 5, outputPerMillion: 15))
    static let engine = RoutingEngine(
        configuration: GatewayConfiguration(
            providers: [ProviderSettings(name: "p", baseURL: "http://localhost")], models: [small, big], tiers: ["light", "premium"]))
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// An answered request recorded on the premium model.
    static func recorded(
        _ id: String, task: String, complexity: Double, model: String = "auto", input: Int = 1000, output: Int = 200, minutes: Double = 0
    ) -> LedgerEntry {
        let usage = TokenUsage(promptTokens: input, completionTokens: output)
        return LedgerEntry(
            decisionID: id, time: start.addingTimeInterval(minutes * 60), requestedModel: model, task: task, complexity: complexity,
            model: "big", tier: "premium", inputTokens: input, outputTokens: output, costUSD: big.price.cost(of: usage),
            baselineCostUSD: big.price.cost(of: usage))
    }

    @Test("easy recorded traffic moves to the cheap tier and is priced at its model for the same tokens")
    func easyTrafficMovesDown() throws {
        let entries = [
            Self.recorded("a", task: "classify", complexity: 0.05),
            Self.recorded("b", task: "classify", complexity: 0.1, input: 400, output: 10, minutes: 90),
            Self.recorded("c", task: "reason", complexity: 0.98, minutes: 120),
            Self.recorded("d", task: "classify", complexity: 0.05, model: "big", minutes: 150),
        ]
        let report = LedgerReplay(engine: Self.engine).replay(entries)
        #expect(report.entries == 4 && report.replayed == 4)
        let usageA = TokenUsage(promptTokens: 1000, completionTokens: 200)
        let usageB = TokenUsage(promptTokens: 400, completionTokens: 10)
        let recorded = entries.reduce(0) { $0 + $1.costUSD }
        #expect(abs(report.recordedUSD - recorded) < 1e-12)
        #expect(abs(report.baselineUSD - recorded) < 1e-12, "the new baseline is the same premium model")
        // a and b go light; c (hard) and d (asked for the big model by name) stay premium.
        let expected = Self.small.price.cost(of: usageA) + Self.small.price.cost(of: usageB)
            + Self.big.price.cost(of: usageA) + Self.big.price.cost(of: usageA)
        #expect(abs(report.replayedUSD - expected) < 1e-12)
        #expect(report.replayedUSD < report.recordedUSD)
        #expect(report.moves.contains(LedgerReplayReport.TierMove(from: "premium", to: "light", requests: 2)))
        #expect(report.moves.contains(LedgerReplayReport.TierMove(from: "premium", to: "premium", requests: 2)))
        #expect(report.tasks.first { $0.task == "classify" }?.requests == 3)
        #expect(report.from == Self.start && report.to == Self.start.addingTimeInterval(150 * 60))
        #expect(report.monthlyFactor.map { abs($0 - 30 * 86400 / 9000) < 1e-9 } == true)
    }

    @Test("errors, other endpoints, models the policy lacks and unknown tasks are counted, not priced")
    func leftOut() {
        var failed = Self.recorded("e", task: "classify", complexity: 0.1)
        failed.status = 502
        var embedding = Self.recorded("f", task: "classify", complexity: 0.1)
        embedding.endpoint = "embeddings"
        var empty = Self.recorded("g", task: "classify", complexity: 0.1)
        empty.inputTokens = 0
        empty.outputTokens = 0
        let gone = Self.recorded("h", task: "classify", complexity: 0.1, model: "retired-model")
        let unknownTask = Self.recorded("i", task: "translate", complexity: 0.05)
        let report = LedgerReplay(engine: Self.engine).replay([failed, embedding, empty, gone, unknownTask])
        #expect(report.entries == 5)
        #expect(report.replayed == 1, "only the request with an unknown task is replayed")
        #expect(report.reclassified == 1)
        #expect(report.skipped.map(\.requests).reduce(0, +) == 4)
        #expect(report.skipped.contains { $0.reason.contains("model_not_found") })
        #expect(report.skipped.contains { $0.reason.contains("error response") })
        #expect(report.recordedUSD == unknownTask.costUSD)
    }

    @Test("an empty ledger replays to an empty report")
    func empty() {
        let report = LedgerReplay(engine: Self.engine).replay([])
        #expect(report.replayed == 0 && report.replayedUSD == 0 && report.monthlyFactor == nil)
    }
}
