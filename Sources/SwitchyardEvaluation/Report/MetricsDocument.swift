import Foundation

/// The content of `metrics.json`: what was run and every report it produced.
public struct MetricsDocument: Sendable, Codable {
    /// Format version of this document.
    public var version = 1
    public var dataset: String
    public var router: String
    public var generatedAt: String
    /// Two-model reports: the whole test set first, then one per category when there are several.
    public var pairs: [PairReport]
    /// RouterBench-style reports (`--models`), same order.
    public var manyModels: [ManyModelReport]

    /// `generatedAt` is written as ISO 8601.
    public init(dataset: String, router: String, generatedAt: Date = Date(), pairs: [PairReport], manyModels: [ManyModelReport]) {
        self.dataset = dataset
        self.router = router
        self.generatedAt = ISO8601DateFormatter().string(from: generatedAt)
        self.pairs = pairs
        self.manyModels = manyModels
    }

    /// Pretty, key-sorted JSON (stable for diffs); absent optionals are omitted.
    public func encoded() throws(EvaluationError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try encoder.encode(self)
        } catch {
            throw .invalidParameter("cannot encode metrics.json: \(error)")
        }
    }
}
