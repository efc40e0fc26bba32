/// A model's list price in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double
    /// Price of input tokens served from the prompt cache; defaults to the input price.
    public var cachedInputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion ?? inputPerMillion
    }

    /// The cost of `usage` at this price, in USD.
    public func cost(of usage: TokenUsage) -> Double {
        let uncached = Double(max(0, usage.promptTokens - usage.cachedPromptTokens))
        let cached = Double(usage.cachedPromptTokens)
        let output = Double(usage.completionTokens)
        return (uncached * inputPerMillion + cached * cachedInputPerMillion + output * outputPerMillion) / 1_000_000
    }

    /// Whether every token is free (a local deployment).
    public var isFree: Bool { inputPerMillion == 0 && outputPerMillion == 0 && cachedInputPerMillion == 0 }
}

/// Formats a USD amount for headers and tables: fixed-point, up to 10 decimals, no exponent.
public func formatUSD(_ amount: Double) -> String {
    let scale: Int64 = 10_000_000_000
    let scaled = Int64((abs(amount) * Double(scale)).rounded())
    // Digits written into one small buffer: this runs for every response's cost header.
    var text: [UInt8] = []
    text.reserveCapacity(24)
    if amount < 0, scaled != 0 { text.append(UInt8(ascii: "-")) }
    JSONWriter.appendTenDecimalPlaces(UInt64(scaled), into: &text)
    return String(decoding: text, as: UTF8.self)
}
