import SwitchyardCore

/// What one tier costs per million tokens.
public struct TierPrice: Sendable, Hashable, Codable {
    public var tier: String
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(tier: String, inputPerMillion: Double, outputPerMillion: Double) {
        self.tier = tier
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// USD for one request of `input` and `output` tokens.
    public func cost(input: Double, output: Double) -> Double {
        (input * inputPerMillion + output * outputPerMillion) / 1_000_000
    }
}

/// Tier prices, cheapest tier first; the last tier is the premium baseline.
public struct TierPriceTable: Sendable, Hashable, Codable {
    public var tiers: [TierPrice]

    /// `tiers` cheapest first; throws when empty, negative or a tier is named twice.
    public init(tiers: [TierPrice]) throws(EvaluationError) {
        guard !tiers.isEmpty else { throw .invalidParameter("the price table has no tiers") }
        for tier in tiers where tier.inputPerMillion < 0 || tier.outputPerMillion < 0 {
            throw .invalidParameter("tier '\(tier.tier)': prices must not be negative")
        }
        guard Set(tiers.map(\.tier)).count == tiers.count else { throw .invalidParameter("the price table names a tier twice") }
        self.tiers = tiers
    }

    /// Each configured tier at the price of its cheapest model (by input + output price), in the
    /// configuration's tier order. Tiers without a model are left out.
    public init(configuration: GatewayConfiguration) throws(EvaluationError) {
        let tiers = configuration.tiers.compactMap { tier -> TierPrice? in
            let cheapest = configuration.models.filter { $0.tier == tier }
                .min { ($0.price.inputPerMillion + $0.price.outputPerMillion) < ($1.price.inputPerMillion + $1.price.outputPerMillion) }
            return cheapest.map { TierPrice(tier: tier, inputPerMillion: $0.price.inputPerMillion, outputPerMillion: $0.price.outputPerMillion) }
        }
        try self.init(tiers: tiers)
    }

    /// Position of `tier` (0 = cheapest).
    public func rank(of tier: String) -> Int? { tiers.firstIndex { $0.tier == tier } }

    /// The baseline tier: the last one.
    public var premium: TierPrice { tiers[tiers.count - 1] }
}
