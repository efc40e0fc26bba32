/// One point of a router's curve: the share of rows sent to the strong model, the mean outcome,
/// and the mean dollar cost per row (when the rows can be priced).
public struct CurvePoint: Sendable, Hashable, Codable {
    public var strongFraction: Double
    public var quality: Double
    public var meanCostUSD: Double?

    public init(strongFraction: Double, quality: Double, meanCostUSD: Double? = nil) {
        self.strongFraction = strongFraction
        self.quality = quality
        self.meanCostUSD = meanCostUSD
    }
}

/// Rows reduced to what a two-model curve needs: outcomes and costs of both models, per row.
public struct PairOutcomes: Sendable {
    public var weak: [Double]
    public var strong: [Double]
    public var weakCost: [Double]?
    public var strongCost: [Double]?

    public init(weak: [Double], strong: [Double], weakCost: [Double]? = nil, strongCost: [Double]? = nil) {
        precondition(weak.count == strong.count, "one weak and one strong outcome per row")
        self.weak = weak
        self.strong = strong
        self.weakCost = weakCost
        self.strongCost = strongCost
    }

    public var count: Int { weak.count }
    public var weakQuality: Double { average(weak) }
    public var strongQuality: Double { average(strong) }
}

/// The quality curve of a scorer: for each strong-call fraction c, the top c·n rows by score go to
/// the strong model and the rest to the weak one; quality(c) is the mean outcome.
///
/// c·n need not be whole, and scores may tie: a block of tied rows that straddles the cut is
/// split in proportion (the expected result of breaking the tie at random), so the curve never
/// depends on row order.
public enum QualityCurve {
    /// c ∈ {0, 0.1, …, 1}, the published grid.
    public static let standardFractions: [Double] = (0...10).map { Double($0) / 10 }

    /// quality(c) (and mean cost, when both cost columns are present) for each fraction in `fractions`.
    public static func points(scores: [Double], outcomes: PairOutcomes, fractions: [Double] = standardFractions) -> [CurvePoint] {
        precondition(scores.count == outcomes.count, "one score per row")
        let n = scores.count
        guard n > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        // Blocks of equal scores, highest first, with their summed gain and extra cost.
        var blocks: [(size: Double, gain: Double, extraCost: Double)] = []
        var start = 0
        while start < n {
            var end = start
            while end + 1 < n && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            var gain = 0.0
            var extra = 0.0
            for position in start...end {
                let row = order[position]
                gain += outcomes.strong[row] - outcomes.weak[row]
                if let strongCost = outcomes.strongCost, let weakCost = outcomes.weakCost { extra += strongCost[row] - weakCost[row] }
            }
            blocks.append((Double(end - start + 1), gain, extra))
            start = end + 1
        }
        let baseQuality = outcomes.weak.reduce(0, +)
        let baseCost = outcomes.weakCost?.reduce(0, +)
        let hasCost = outcomes.weakCost != nil && outcomes.strongCost != nil
        return fractions.map { fraction in
            var remaining = min(max(fraction, 0), 1) * Double(n)
            var gain = 0.0
            var extra = 0.0
            for block in blocks where remaining > 0 {
                let share = min(remaining, block.size) / block.size
                gain += share * block.gain
                extra += share * block.extraCost
                remaining -= block.size
            }
            let cost = hasCost ? ((baseCost ?? 0) + extra) / Double(n) : nil
            return CurvePoint(strongFraction: fraction, quality: (baseQuality + gain) / Double(n), meanCostUSD: cost)
        }
    }

    /// The pointwise mean of curves on the same fractions (e.g. a random router over seeds).
    public static func mean(_ curves: [[CurvePoint]]) -> [CurvePoint] {
        guard let first = curves.first else { return [] }
        return first.indices.map { index in
            let column = curves.map { $0[index] }
            let costs = column.compactMap(\.meanCostUSD)
            return CurvePoint(
                strongFraction: first[index].strongFraction, quality: average(column.map(\.quality)),
                meanCostUSD: costs.count == column.count ? average(costs) : nil)
        }
    }
}

func average(_ values: [Double]) -> Double {
    values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
}
