/// A (mean cost per row, mean quality) point: a single model, or a router at one setting.
public struct CostQualityPoint: Sendable, Hashable, Codable {
    public var costUSD: Double
    public var quality: Double
    /// What produced the point, e.g. a model name or `mixtral→gpt-4 c=0.3`.
    public var label: String?

    public init(costUSD: Double, quality: Double, label: String? = nil) {
        self.costUSD = costUSD
        self.quality = quality
        self.label = label
    }
}
