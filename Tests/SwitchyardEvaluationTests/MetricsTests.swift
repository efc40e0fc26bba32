import SwitchyardEvaluation
import Testing

/// PGR, APGR and CPT on curves small enough to compute by hand.
@Suite struct MetricsTests {
    static func curve(_ points: [(Double, Double)]) -> [CurvePoint] {
        points.map { CurvePoint(strongFraction: $0.0, quality: $0.1) }
    }

    @Test func pgrIsTheShareOfTheGapRecovered() {
        #expect(abs(RoutingMetrics.pgr(quality: 0.7, weak: 0.5, strong: 0.9)! - 0.5) < 1e-12)
        #expect(abs(RoutingMetrics.pgr(quality: 0.8, weak: 0.5, strong: 0.9)! - 0.75) < 1e-12)
        #expect(RoutingMetrics.pgr(quality: 0.8, weak: 0.6, strong: 0.6) == nil)
    }

    @Test func apgrOfAHandComputedCurve() throws {
        // Trapezoids: 0.5·(0.5+0.8)/2 + 0.5·(0.8+0.9)/2 = 0.325 + 0.425 = 0.75; (0.75 − 0.5)/0.4 = 0.625.
        let apgr = try #require(RoutingMetrics.apgr(Self.curve([(0, 0.5), (0.5, 0.8), (1, 0.9)]), weak: 0.5, strong: 0.9))
        #expect(abs(apgr - 0.625) < 1e-12)
    }

    @Test func straightLineFromWeakToStrongHasAPGRHalf() throws {
        let fractions: [Double] = (0...10).map { Double($0) / 10 }
        let line = fractions.map { fraction in CurvePoint(strongFraction: fraction, quality: 0.6 + 0.3 * fraction) }
        let apgr = try #require(RoutingMetrics.apgr(line, weak: 0.6, strong: 0.9))
        #expect(abs(apgr - 0.5) < 1e-12)
    }

    @Test func apgrIgnoresPointOrder() {
        let points = Self.curve([(1, 0.9), (0, 0.5), (0.5, 0.8)])
        #expect(abs(RoutingMetrics.apgr(points, weak: 0.5, strong: 0.9)! - 0.625) < 1e-12)
    }

    @Test func cptInterpolatesOnTheFirstSegmentThatReachesTheTarget() throws {
        let points = Self.curve([(0, 0.5), (0.5, 0.8), (1, 0.9)])
        // 50 %: target 0.7 on 0→0.5: (0.7−0.5)/(0.8−0.5)·0.5 = 1/3.
        #expect(abs(try #require(RoutingMetrics.cpt(points, weak: 0.5, strong: 0.9, x: 0.5)) - 1.0 / 3) < 1e-12)
        // 80 %: target 0.82 on 0.5→1: 0.5 + (0.82−0.8)/(0.9−0.8)·0.5 = 0.6.
        #expect(abs(try #require(RoutingMetrics.cpt(points, weak: 0.5, strong: 0.9, x: 0.8)) - 0.6) < 1e-12)
    }

    @Test func cptTakesTheFirstCrossingNotTheLast() throws {
        // Rises above the target at 0.25, dips, and rises again: the first crossing counts.
        let points = Self.curve([(0, 0.5), (0.5, 0.9), (0.75, 0.6), (1, 0.9)])
        #expect(abs(try #require(RoutingMetrics.cpt(points, weak: 0.5, strong: 0.9, x: 0.5)) - 0.25) < 1e-12)
    }

    @Test func cptEdgeCases() {
        #expect(RoutingMetrics.cpt(Self.curve([(0, 0.9), (1, 0.9)]), weak: 0.5, strong: 0.9, x: 0.5) == 0)
        #expect(RoutingMetrics.cpt(Self.curve([(0, 0.5), (1, 0.6)]), weak: 0.5, strong: 0.9, x: 0.5) == nil)
        #expect(RoutingMetrics.cpt(Self.curve([(0, 0.5), (1, 0.5)]), weak: 0.5, strong: 0.5, x: 0.5) == nil)
    }

    @Test func summaryCarriesPGRPerPoint() throws {
        let summary = RouterSummary(router: "r", curve: Self.curve([(0, 0.5), (0.5, 0.8), (1, 0.9)]), weak: 0.5, strong: 0.9)
        #expect(summary.points.map { ($0.pgr! * 1000).rounded() / 1000 } == [0, 0.75, 1])
        #expect(abs(try #require(summary.apgr) - 0.625) < 1e-12)
        #expect(abs(try #require(summary.cpt50) - 1.0 / 3) < 1e-12)
        #expect(abs(try #require(summary.cpt80) - 0.6) < 1e-12)
    }
}
