import SwitchyardCore

/// The dollar cost of answering one row with one model.
///
/// In order of preference: the row's exact `costs_usd`; else its token counts at the model's list
/// price; else an estimate at list price from the prompt's length (UTF-8 bytes / 4, as the router
/// estimates) and ``defaultOutputTokens`` output tokens.
public struct PromptCostModel: Sendable {
    public var prices: PriceTable?
    /// Output tokens assumed for a row that does not record them.
    public var defaultOutputTokens: Int

    public init(prices: PriceTable?, defaultOutputTokens: Int = 256) {
        self.prices = prices
        self.defaultOutputTokens = defaultOutputTokens
    }

    /// How a cost was obtained; reported next to every cost.
    public enum Source: String, Sendable, Codable, Comparable {
        case recorded = "recorded per-prompt cost (costs_usd)"
        case tokens = "recorded token counts × list price"
        case estimated = "estimated tokens (prompt bytes / 4, default output) × list price"

        public static func < (lhs: Source, rhs: Source) -> Bool {
            let order: [Source] = [.recorded, .tokens, .estimated]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    /// The cost in USD and how it was obtained, or `nil` when nothing prices this model.
    public func cost(of record: RoutingRecord, model: String) -> (usd: Double, source: Source)? {
        if let recorded = record.costsUSD?[model] { return (recorded, .recorded) }
        guard let price = prices?[model] else { return nil }
        let recordedOutput = record.outputTokens?[model]
        let input = record.inputTokens ?? (record.prompt.utf8.count + 3) / 4
        let output = recordedOutput ?? defaultOutputTokens
        let usd = price.cost(of: TokenUsage(promptTokens: input, completionTokens: output))
        return (usd, record.inputTokens != nil && recordedOutput != nil ? .tokens : .estimated)
    }

    /// Costs of `records` answered by `model`, and the least exact source used; `nil` if any row cannot be priced.
    public func costs(of records: [RoutingRecord], model: String) -> (usd: [Double], source: Source)? {
        var values: [Double] = []
        values.reserveCapacity(records.count)
        var worst = Source.recorded
        for record in records {
            guard let (usd, source) = cost(of: record, model: model) else { return nil }
            values.append(usd)
            worst = max(worst, source)
        }
        return (values, worst)
    }
}
