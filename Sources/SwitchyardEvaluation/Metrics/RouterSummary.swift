/// One router's curve and metrics against a model pair.
public struct RouterSummary: Sendable, Hashable, Codable {
    /// One point of the curve with its PGR.
    public struct Point: Sendable, Hashable, Codable {
        public var strongFraction: Double
        public var quality: Double
        /// `nil` when the two models score alike.
        public var pgr: Double?
        public var meanCostUSD: Double?
    }

    public var router: String
    public var points: [Point]
    public var apgr: Double?
    /// CPT(50 %): strong-call fraction needed for half of the quality gap.
    public var cpt50: Double?
    /// CPT(80 %).
    public var cpt80: Double?
    /// For a router averaged over seeds: how many, and the spread of APGR between them.
    public var seeds: Int?
    public var apgrStandardDeviation: Double?

    /// Computes PGR per point, APGR, CPT(50 %) and CPT(80 %) of `curve` against the two models' qualities.
    public init(router: String, curve: [CurvePoint], weak: Double, strong: Double) {
        self.router = router
        self.points = curve.map {
            Point(
                strongFraction: $0.strongFraction, quality: $0.quality,
                pgr: RoutingMetrics.pgr(quality: $0.quality, weak: weak, strong: strong), meanCostUSD: $0.meanCostUSD)
        }
        self.apgr = RoutingMetrics.apgr(curve, weak: weak, strong: strong)
        self.cpt50 = RoutingMetrics.cpt(curve, weak: weak, strong: strong, x: 0.5)
        self.cpt80 = RoutingMetrics.cpt(curve, weak: weak, strong: strong, x: 0.8)
    }

    /// The curve back as plain points.
    public var curve: [CurvePoint] {
        points.map { CurvePoint(strongFraction: $0.strongFraction, quality: $0.quality, meanCostUSD: $0.meanCostUSD) }
    }
}
