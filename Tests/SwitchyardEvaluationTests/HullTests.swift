import SwitchyardEvaluation
import Testing

/// The non-decreasing convex hull and AIQ, on points placed by hand.
@Suite struct HullTests {
    static func point(_ cost: Double, _ quality: Double, _ label: String) -> CostQualityPoint {
        CostQualityPoint(costUSD: cost, quality: quality, label: label)
    }

    // A(1, .5) B(2, .7) F(3, .78) D(4, .8) are on the hull. C(3, .6) is dominated by B;
    // E(2.5, .65) is dominated by B; G(5, .75) costs more than D for less.
    static let points = [
        point(3, 0.6, "C"), point(1, 0.5, "A"), point(4, 0.8, "D"), point(2, 0.7, "B"), point(2.5, 0.65, "E"), point(3, 0.78, "F"),
        point(5, 0.75, "G"),
    ]

    @Test func hullKeepsTheRisingConvexFrontier() {
        #expect(ParetoHull.nonDecreasingHull(Self.points).compactMap(\.label) == ["A", "B", "F", "D"])
    }

    @Test func pointsUnderAChordAreDropped() {
        // M(2, 0.6) lies under the chord from A(1, .5) to D(3, .8), which passes 0.65 at cost 2.
        let hull = ParetoHull.nonDecreasingHull([Self.point(1, 0.5, "A"), Self.point(2, 0.6, "M"), Self.point(3, 0.8, "D")])
        #expect(hull.compactMap(\.label) == ["A", "D"])
    }

    @Test func collinearMiddlePointsAreDropped() {
        let hull = ParetoHull.nonDecreasingHull([Self.point(0, 0, "a"), Self.point(1, 1, "b"), Self.point(2, 2, "c")])
        #expect(hull.compactMap(\.label) == ["a", "c"])
    }

    @Test func valueInterpolatesAndIsFlatOutside() {
        let hull = ParetoHull.nonDecreasingHull(Self.points)
        #expect(abs(ParetoHull.value(of: hull, at: 1.5) - 0.6) < 1e-12)
        #expect(ParetoHull.value(of: hull, at: 0) == 0.5)
        #expect(ParetoHull.value(of: hull, at: 9) == 0.8)
    }

    @Test func aiqIsTheMeanHeightOfTheHull() {
        let hull = ParetoHull.nonDecreasingHull(Self.points)
        // Over [1, 4]: (0.6 + 0.74 + 0.79) / 3 = 0.71.
        #expect(abs(ParetoHull.aiq(hull: hull, cMin: 1, cMax: 4) - 0.71) < 1e-12)
        // Over [1, 5] the hull stays flat at 0.8 after D: (2.13 + 0.8) / 4.
        #expect(abs(ParetoHull.aiq(hull: hull, cMin: 1, cMax: 5) - 2.93 / 4) < 1e-12)
        // A range cutting through a segment: over [1.5, 2.5] = ((0.6+0.7)/2·0.5 + (0.7+0.74)/2·0.5) / 1.
        #expect(abs(ParetoHull.aiq(hull: hull, cMin: 1.5, cMax: 2.5) - 0.685) < 1e-12)
    }

    @Test func aiqOfASinglePoint() {
        #expect(ParetoHull.aiq(hull: [Self.point(1, 0.4, "x")], cMin: 1, cMax: 1) == 0.4)
    }
}
