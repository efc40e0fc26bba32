/// The small statistics an audit reports.
public enum AuditStatistics {
    /// The `p`-quantile (0…1) by linear interpolation between closest ranks (the "R-7" rule of
    /// spreadsheets' PERCENTILE.INC): `values` sorted, `h = (n − 1) × p`, interpolate between
    /// `sorted[⌊h⌋]` and `sorted[⌈h⌉]`. `nil` when `values` is empty.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let h = Double(sorted.count - 1) * min(1, max(0, p))
        let lower = Int(h.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// The arithmetic mean; `nil` when empty.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Cosine similarity of two vectors of the same length; `nil` if either is all zeros or the
    /// lengths differ.
    public static func cosine(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count == b.count, !a.isEmpty else { return nil }
        var dot = 0.0, normA = 0.0, normB = 0.0
        for (x, y) in zip(a, b) {
            dot += x * y
            normA += x * x
            normB += y * y
        }
        guard normA > 0, normB > 0 else { return nil }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }
}
