import SwitchyardEvaluation
import Testing

/// Top-c routing by score, including ties and fractional cuts.
@Suite struct QualityCurveTests {
    // Rows:       0    1    2    3
    // weak:       1    0    0    1
    // strong:     1    1    1    0
    // gain:       0   +1   +1   −1
    static let outcomes = PairOutcomes(weak: [1, 0, 0, 1], strong: [1, 1, 1, 0], weakCost: [1, 1, 1, 1], strongCost: [10, 10, 10, 10])

    @Test func topCByScoreGoesStrong() {
        // Order by score: row 0 (0.9), row 1 (0.8), row 3 (0.5), row 2 (0.1).
        let points = QualityCurve.points(scores: [0.9, 0.8, 0.1, 0.5], outcomes: Self.outcomes, fractions: [0, 0.25, 0.5, 0.75, 1])
        #expect(points.map(\.quality) == [0.5, 0.5, 0.75, 0.5, 0.75])
        #expect(points.map { $0.meanCostUSD! } == [1, 3.25, 5.5, 7.75, 10])
    }

    @Test func tiesAreSplitInProportion() {
        // All scores equal: at c = 0.5 half of the total gain (+1) is realised in expectation.
        let points = QualityCurve.points(scores: [0, 0, 0, 0], outcomes: Self.outcomes, fractions: [0, 0.5, 1])
        #expect(points.map(\.quality) == [0.5, 0.625, 0.75])
    }

    @Test func fractionalCutsInterpolate() {
        // c = 0.375 → 1.5 rows: row 0 (gain 0) and half of row 1 (gain +1).
        let points = QualityCurve.points(scores: [0.9, 0.8, 0.1, 0.5], outcomes: Self.outcomes, fractions: [0.375])
        #expect(points[0].quality == 2.5 / 4)
    }

    @Test func curveDoesNotDependOnRowOrder() {
        let forward = QualityCurve.points(scores: [0.9, 0.8, 0.1, 0.5], outcomes: Self.outcomes)
        let reversed = QualityCurve.points(
            scores: [0.5, 0.1, 0.8, 0.9], outcomes: PairOutcomes(weak: [1, 0, 0, 1], strong: [0, 1, 1, 1]))
        #expect(forward.map(\.quality) == reversed.map(\.quality))
    }

    @Test func oracleSendsOnlyUsefulRowsFirstAndHarmfulOnesLast() {
        let records = [(1.0, 1.0), (0, 1), (0, 1), (1, 0)].enumerated().map { index, pair in
            RoutingRecord(id: "r\(index)", prompt: "", category: "", outcomes: ["w": pair.0, "s": pair.1])
        }
        let scores = OracleScorer(strongModel: "s", weakModel: "w").scores(records)
        let points = QualityCurve.points(scores: scores, outcomes: Self.outcomes, fractions: [0, 0.25, 0.5, 0.75, 1])
        #expect(points.map(\.quality) == [0.5, 0.75, 1, 1, 0.75])
    }

    @Test func meanOfCurvesIsPointwise() {
        let a = [CurvePoint(strongFraction: 0, quality: 0.4, meanCostUSD: 1), CurvePoint(strongFraction: 1, quality: 0.8, meanCostUSD: 3)]
        let b = [CurvePoint(strongFraction: 0, quality: 0.6, meanCostUSD: 1), CurvePoint(strongFraction: 1, quality: 1.0, meanCostUSD: 5)]
        let mean = QualityCurve.mean([a, b])
        #expect(mean.map(\.quality) == [0.5, 0.9])
        #expect(mean.map(\.meanCostUSD) == [1, 4])
    }
}
