/// RouterBench's non-decreasing convex hull and AIQ (Hu et al. 2024, "RouterBench").
public enum ParetoHull {
    /// The non-decreasing upper convex hull of `points` in the (cost, quality) plane, cheapest first.
    ///
    /// Points dominated by a cheaper-or-equal point of at least the same quality are dropped; of
    /// the rest (a staircase rising with cost) the upper convex hull is kept. Mixing two routers'
    /// settings at random reaches every point on a hull segment, so the hull is what a policy can achieve.
    public static func nonDecreasingHull(_ points: [CostQualityPoint]) -> [CostQualityPoint] {
        let sorted = points.sorted { ($0.costUSD, -$0.quality) < ($1.costUSD, -$1.quality) }
        var frontier: [CostQualityPoint] = []
        for point in sorted where point.quality > (frontier.last?.quality ?? -.infinity) {
            frontier.append(point)
        }
        var hull: [CostQualityPoint] = []
        for point in frontier {
            while hull.count >= 2 {
                let a = hull[hull.count - 2], b = hull[hull.count - 1]
                // Keep b only if it lies strictly above the chord from a to the new point.
                let cross = (b.costUSD - a.costUSD) * (point.quality - a.quality) - (b.quality - a.quality) * (point.costUSD - a.costUSD)
                if cross >= 0 { hull.removeLast() } else { break }
            }
            hull.append(point)
        }
        return hull
    }

    /// The hull's quality at `cost`: linear between vertices, flat beyond the ends (as `numpy.interp`).
    public static func value(of hull: [CostQualityPoint], at cost: Double) -> Double {
        guard let first = hull.first, let last = hull.last else { return 0 }
        if cost <= first.costUSD { return first.quality }
        if cost >= last.costUSD { return last.quality }
        for (left, right) in zip(hull, hull.dropFirst()) where cost <= right.costUSD {
            let t = right.costUSD == left.costUSD ? 1 : (cost - left.costUSD) / (right.costUSD - left.costUSD)
            return left.quality + t * (right.quality - left.quality)
        }
        return last.quality
    }

    /// AIQ = ∫ hull(c) dc over [cMin, cMax] ÷ (cMax − cMin), exact for the piecewise-linear hull.
    /// With cMin == cMax it is the hull's value there.
    public static func aiq(hull: [CostQualityPoint], cMin: Double, cMax: Double) -> Double {
        guard cMax > cMin else { return value(of: hull, at: cMin) }
        let inside = hull.map(\.costUSD).filter { $0 > cMin && $0 < cMax }
        let xs = [cMin] + inside + [cMax]
        var area = 0.0
        for (left, right) in zip(xs, xs.dropFirst()) {
            area += (value(of: hull, at: left) + value(of: hull, at: right)) / 2 * (right - left)
        }
        return area / (cMax - cMin)
    }
}
