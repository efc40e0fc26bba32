import SwitchyardCore

/// List prices per model (USD per million tokens), as in a dataset's `prices.json`.
public struct PriceTable: Sendable {
    public var prices: [String: ModelPrice]

    public init(prices: [String: ModelPrice]) {
        self.prices = prices
    }

    /// The price of `model`, if listed.
    public subscript(model: String) -> ModelPrice? { prices[model] }

    /// Listed model names, sorted.
    public var models: [String] { prices.keys.sorted() }
}
