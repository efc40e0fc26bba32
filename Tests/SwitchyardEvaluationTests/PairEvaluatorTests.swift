import Synchronization
import SwitchyardEvaluation
import Testing

/// The two-model evaluator's bookkeeping: dropped rows, learning routers, progress, costs.
@Suite struct PairEvaluatorTests {
    static let records = (0..<200).map { row in
        RoutingRecord(
            id: "r\(row)", prompt: "p\(row)", category: "t",
            outcomes: row == 0 ? ["s": 1] : ["s": row % 4 == 0 ? 0 : 1, "w": row % 2 == 0 ? 1 : 0], costsUSD: ["s": 0.01, "w": 0.001],
            split: row < 100 ? "train" : "test")
    }

    @Test func dropsRowsWithoutBothOutcomesAndReportsCosts() throws {
        let report = try PairEvaluator(strongModel: "s", weakModel: "w", randomSeeds: [1, 2, 3])
            .evaluate(scorer: RandomScorer(seed: 0), records: Self.records, label: "toy")
        #expect(report.rows == 199 && report.droppedRows == 1)
        #expect(abs(try #require(report.strongMeanCostUSD) - 0.01) < 1e-12)
        #expect(abs(try #require(report.weakMeanCostUSD) - 0.001) < 1e-12)
        #expect(report.costSource == PromptCostModel.Source.recorded.rawValue)
        #expect(report.random.seeds == 3)
        #expect(report.router.points.count == 11)
        // Every router starts at the weak model and ends at the strong one.
        for summary in [report.router, report.random, report.oracle] {
            #expect(summary.points.first?.quality == report.weakQuality)
            #expect(abs(summary.points.last!.quality - report.strongQuality) < 1e-12)
        }
    }

    @Test func learningRoutersNeedASplit() throws {
        let learner = ScorerFactory(name: "learned", summary: "test", learns: true) { training in
            #expect(training.records.allSatisfy { $0.split == "train" })
            return RandomScorer(seed: UInt64(training.records.count))
        }
        let evaluator = PairEvaluator(strongModel: "s", weakModel: "w", randomSeeds: [0])
        #expect(throws: EvaluationError.self) {
            try evaluator.evaluate(factory: learner, split: DatasetSplit(Self.records, plan: .all), plan: .all, label: "toy")
        }
        let report = try evaluator.evaluate(
            factory: learner, split: DatasetSplit(Self.records, plan: .datasetField), plan: .datasetField, label: "toy")
        #expect(report.trainingRows == 99 && report.rows == 100)
    }

    @Test func progressReachesTheEnd() throws {
        let calls = Mutex<[Int]>([])
        _ = try PairEvaluator(strongModel: "s", weakModel: "w", randomSeeds: [0])
            .evaluate(scorer: RandomScorer(seed: 0), records: Self.records, label: "toy", progress: { done, _ in calls.withLock { $0.append(done) } })
        let seen = calls.withLock { $0 }
        #expect(seen.last == 199)
        #expect(seen == seen.sorted())
    }
}
