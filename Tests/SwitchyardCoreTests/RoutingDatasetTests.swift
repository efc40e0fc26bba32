import Foundation
import SwitchyardCore
import Testing

/// Does the heuristic complexity score predict when the weak model fails? Measured on real
/// routing data (`../shared/data`, see its README), as ROC AUC: 0.5 is a coin toss.
@Suite struct RoutingDatasetTests {
    static let dataDirectory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // repository root
        .deletingLastPathComponent().appendingPathComponent("shared/data")

    struct Dataset: Sendable, CustomTestStringConvertible {
        var folder: String
        var weakModel: String
        /// Rows to skip (e.g. RouteLLM's contaminated GSM8K prompts).
        var skipKey: String?
        /// Lowest AUC accepted: clearly better than random.
        var minimumAUC: Double
        var testDescription: String { folder }
    }

    static let datasets = [
        Dataset(folder: "routellm_gsm8k", weakModel: "mistralai/Mixtral-8x7B-Instruct-v0.1", skipKey: "contaminated", minimumAUC: 0.53),
        Dataset(folder: "routerbench_subset", weakModel: "mistralai/mixtral-8x7b-chat", minimumAUC: 0.55),
    ]

    /// (score, weak model failed) for every usable row.
    static func scores(_ dataset: Dataset, engine: RoutingEngine) throws -> [(category: String, score: Double, failed: Bool, features: [FeatureScore])]? {
        let file = dataDirectory.appendingPathComponent(dataset.folder).appendingPathComponent("routing.jsonl")
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        var rows: [(String, Double, Bool, [FeatureScore])] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let row = try JSONParser.parse(line)
            if let key = dataset.skipKey, row[key]?.boolValue == true { continue }
            guard let prompt = row["prompt"]?.stringValue, let outcome = row["outcomes"]?[dataset.weakModel]?.doubleValue else { continue }
            let request = RoutingRequest(model: "auto", messages: [ChatMessage(role: "user", text: prompt)])
            let signals = try engine.classify(request)
            rows.append((row["category"]?.stringValue ?? "", signals.complexity.value, outcome < 0.5, signals.complexity.features))
        }
        return rows
    }

    /// ROC AUC by the rank-sum (Mann–Whitney U) formula, ties counted half.
    static func auc(_ rows: [(score: Double, positive: Bool)]) -> Double {
        let sorted = rows.sorted { $0.score < $1.score }
        var rankSum = 0.0
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count && sorted[end + 1].score == sorted[index].score { end += 1 }
            let averageRank = Double(index + end + 2) / 2
            for k in index...end where sorted[k].positive { rankSum += averageRank }
            index = end + 1
        }
        let positives = Double(sorted.filter(\.positive).count)
        let negatives = Double(sorted.count) - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    @Test func aucOfKnownOrderings() {
        #expect(Self.auc([(0.1, false), (0.2, false), (0.8, true), (0.9, true)]) == 1)
        #expect(Self.auc([(0.1, true), (0.2, true), (0.8, false), (0.9, false)]) == 0)
        #expect(Self.auc([(0.5, true), (0.5, false)]) == 0.5)
    }

    @Test(arguments: datasets)
    func heuristicPredictsWeakModelFailures(_ dataset: Dataset) throws {
        let engine = RoutingEngine(configuration: GatewayConfiguration(
            providers: [ProviderSettings(name: "p", baseURL: "http://localhost")],
            models: [ModelDeployment(name: "m", provider: "p", upstreamModel: "m", tier: "light", price: ModelPrice(inputPerMillion: 0, outputPerMillion: 0))],
            tiers: ["light", "mid", "premium"]))
        guard let rows = try Self.scores(dataset, engine: engine) else {
            print("SKIPPED \(dataset.folder): \(Self.dataDirectory.path)/\(dataset.folder)/routing.jsonl is not present")
            return
        }
        try #require(rows.count > 100)
        let overall = Self.auc(rows.map { ($0.score, $0.failed) })
        let failures = rows.filter(\.failed).count
        print("AUC \(dataset.folder) (weak \(dataset.weakModel) fails on \(failures)/\(rows.count)): \(String(format: "%.4f", overall))")
        let perFeature = ComplexityFeature.allCases.enumerated().map { slot, feature in
            "\(feature.rawValue) \(String(format: "%.3f", Self.auc(rows.map { ($0.features[slot].value, $0.failed) })))"
        }
        print("  per feature: " + perFeature.joined(separator: ", "))
        for category in Set(rows.map(\.category)).sorted() where Set(rows.map(\.category)).count > 1 {
            let subset = rows.filter { $0.category == category }
            print("  \(category): AUC \(String(format: "%.4f", Self.auc(subset.map { ($0.score, $0.failed) }))) over \(subset.count) prompts")
        }
        // Hanley & McNeil (1982) standard error: better than random means the 95 % interval excludes 0.5.
        let positives = Double(failures), negatives = Double(rows.count - failures)
        let q1 = overall / (2 - overall), q2 = 2 * overall * overall / (1 + overall)
        let se = ((overall * (1 - overall) + (positives - 1) * (q1 - overall * overall) + (negatives - 1) * (q2 - overall * overall)) / (positives * negatives)).squareRoot()
        print("  95% interval: \(String(format: "%.4f", overall - 1.96 * se))…\(String(format: "%.4f", overall + 1.96 * se))")
        #expect(overall - 1.96 * se > 0.5, "the heuristic must beat a random router (AUC 0.5) with 95 % confidence")
        #expect(overall > dataset.minimumAUC)
    }
}
