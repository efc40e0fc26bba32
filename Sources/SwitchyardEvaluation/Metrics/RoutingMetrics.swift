/// The published two-model routing metrics (RouteLLM, Ong et al. 2024), on a quality curve.
public enum RoutingMetrics {
    /// PGR = (quality − q_weak) / (q_strong − q_weak); `nil` when the two models score alike.
    public static func pgr(quality: Double, weak: Double, strong: Double) -> Double? {
        strong == weak ? nil : (quality - weak) / (strong - weak)
    }

    /// Area under the curve by the trapezoid rule over its points (sorted by strong fraction).
    public static func trapezoidArea(_ points: [CurvePoint]) -> Double {
        let sorted = points.sorted { $0.strongFraction < $1.strongFraction }
        guard sorted.count > 1 else { return 0 }
        var area = 0.0
        for (left, right) in zip(sorted, sorted.dropFirst()) {
            area += (left.quality + right.quality) / 2 * (right.strongFraction - left.strongFraction)
        }
        return area
    }

    /// APGR = (∫ quality dc − q_weak) / (q_strong − q_weak), the integral by trapezoids over the
    /// curve's points. For a curve over c ∈ [0, 1] this is the published formula; for a narrower
    /// span both terms are taken over that span. `nil` when the models score alike.
    public static func apgr(_ points: [CurvePoint], weak: Double, strong: Double) -> Double? {
        guard strong != weak, let low = points.map(\.strongFraction).min(), let high = points.map(\.strongFraction).max(), high > low else {
            return nil
        }
        let span = high - low
        return (trapezoidArea(points) - weak * span) / ((strong - weak) * span)
    }

    /// CPT(x) = the smallest strong-call fraction at which the piecewise-linear curve reaches
    /// q_weak + x · (q_strong − q_weak), x in [0, 1]; `nil` if it never does.
    public static func cpt(_ points: [CurvePoint], weak: Double, strong: Double, x: Double) -> Double? {
        let sorted = points.sorted { $0.strongFraction < $1.strongFraction }
        guard strong != weak, let first = sorted.first else { return nil }
        let target = weak + x * (strong - weak)
        let tolerance = 1e-12 * max(1, abs(target))
        if first.quality >= target - tolerance { return first.strongFraction }
        for (left, right) in zip(sorted, sorted.dropFirst()) where right.quality >= target - tolerance {
            // left.quality < target here, so the segment rises through the target.
            let t = right.quality == left.quality ? 1 : (target - left.quality) / (right.quality - left.quality)
            return left.strongFraction + min(max(t, 0), 1) * (right.strongFraction - left.strongFraction)
        }
        return nil
    }
}
