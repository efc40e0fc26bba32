import SwitchyardEvaluation
import Testing

/// The many-model policy on a toy set of three models, one of them dominated.
@Suite struct ManyModelTests {
    // cheap: $1, right on rows 0–1; mid: $2, right on 0–2; dear: $4, right on 0–3; bad: $3, right on none.
    static let records = (0..<4).map { row in
        RoutingRecord(
            id: "r\(row)", prompt: "p\(row)", category: "t",
            outcomes: ["cheap": row < 2 ? 1 : 0, "mid": row < 3 ? 1 : 0, "dear": 1, "bad": 0],
            costsUSD: ["cheap": 1, "mid": 2, "dear": 4, "bad": 3])
    }

    @Test func singleModelsLadderAndAIQ() throws {
        let evaluator = ManyModelEvaluator(
            models: ["cheap", "mid", "dear", "bad"], costModel: PromptCostModel(prices: nil), fractions: [0, 0.25, 0.5, 0.75, 1])
        let report = try evaluator.evaluate(
            factory: OracleScorer.factory, split: DatasetSplit(train: [], test: Self.records), plan: .all, label: "toy")
        #expect(report.models.map(\.quality) == [0.5, 0.75, 1, 0])
        // (1, .5), (2, .75), (4, 1): mid lies above the chord from cheap to dear (0.667 at cost 2); bad is dominated.
        #expect(report.ladder == ["cheap", "mid", "dear"])
        #expect(report.cMin == 1 && report.cMax == 4)
        // Zero router: (0.5+0.75)/2·1 + (0.75+1)/2·2 = 2.375 over a width of 3.
        #expect(abs(report.zeroRouter.aiq - 2.375 / 3) < 1e-12)
        // Oracle: cheap→mid reaches 0.75 at c = 0.25 (cost 1.25); mid→dear reaches 1 at c = 0.25 (cost 2.5).
        // Hull (1, .5) → (1.25, .75) → (2.5, 1) → flat to 4: 0.15625 + 1.09375 + 1.5 = 2.75 over 3.
        #expect(abs(report.oracle.aiq - 2.75 / 3) < 1e-12)
        #expect(report.oracle.hull.map(\.costUSD) == [1, 1.25, 2.5])

        #expect(report.random.aiq <= report.oracle.aiq)
    }

    @Test func needsTwoModels() {
        let evaluator = ManyModelEvaluator(models: ["cheap"], costModel: PromptCostModel(prices: nil))
        #expect(throws: EvaluationError.self) {
            try evaluator.evaluate(factory: OracleScorer.factory, split: DatasetSplit(train: [], test: Self.records), plan: .all, label: "toy")
        }
    }
}
