import Foundation
import SwitchyardCore
import SwitchyardEmbeddings
import Testing

@Suite("Logistic regression and the learned router")
struct LearnedRouterTests {
    /// Deterministic pseudo-random numbers in [-1, 1).
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
    }

    /// Linearly separable points in 6 dimensions (label = 2x₀ − x₁ + 0.5x₃ + 0.1 > 0), with
    /// features on very different scales to exercise standardization.
    static func separable(count: Int, seed: UInt64) -> ([[Double]], [Bool]) {
        var random = Generator(state: seed)
        var samples: [[Double]] = []
        var labels: [Bool] = []
        while samples.count < count {
            let x = (0..<6).map { _ in random.next() }
            let margin = 2 * x[0] - x[1] + 0.5 * x[3] + 0.1
            guard abs(margin) > 0.05 else { continue }
            samples.append([x[0] * 1000, x[1], x[2] * 0.001, x[3] + 50, x[4], x[5]])
            labels.append(margin > 0)
        }
        return (samples, labels)
    }

    @Test func learnsASeparableSetToHighAccuracy() {
        let (train, trainLabels) = Self.separable(count: 600, seed: 1)
        let (test, testLabels) = Self.separable(count: 400, seed: 2)
        let model = LogisticRegression.train(samples: train, labels: trainLabels, options: .init(l2: 1e-4, iterations: 1500))
        let correct = zip(test, testLabels).filter { (model.probability($0) > 0.5) == $1 }.count
        let accuracy = Double(correct) / Double(test.count)
        #expect(accuracy >= 0.97, "held-out accuracy \(accuracy)")
        let scores = test.map(model.probability)
        #expect(RouterTrainer.auc(scores: scores, positives: testLabels) > 0.99)
        // The irrelevant features get much smaller weights than the relevant ones.
        #expect(abs(model.weights[0]) > 5 * abs(model.weights[2]))
        #expect(abs(model.weights[1]) > 5 * abs(model.weights[5]))
    }

    @Test func trainingIsDeterministic() {
        let (train, labels) = Self.separable(count: 200, seed: 7)
        let a = LogisticRegression.train(samples: train, labels: labels, options: .init(iterations: 200))
        let b = LogisticRegression.train(samples: train, labels: labels, options: .init(iterations: 200))
        #expect(a == b)
    }

    @Test func strongerPenaltyShrinksWeights() {
        let (train, labels) = Self.separable(count: 300, seed: 3)
        let loose = LogisticRegression.train(samples: train, labels: labels, options: .init(l2: 1e-4, iterations: 400))
        let tight = LogisticRegression.train(samples: train, labels: labels, options: .init(l2: 1, iterations: 400))
        let norm = { (m: LogisticRegression) in m.weights.reduce(0) { $0 + $1 * $1 } }
        #expect(norm(tight) < norm(loose) / 4)
    }

    @Test func aucOfKnownOrderings() {
        #expect(RouterTrainer.auc(scores: [0.1, 0.2, 0.8, 0.9], positives: [false, false, true, true]) == 1)
        #expect(RouterTrainer.auc(scores: [0.1, 0.2, 0.8, 0.9], positives: [true, true, false, false]) == 0)
        #expect(RouterTrainer.auc(scores: [0.5, 0.5], positives: [true, false]) == 0.5)
    }

    static func sampleModel(dimension: Int) -> RouterModel {
        let names = RouterModel.featureNames(embeddingDimension: dimension)
        let regression = LogisticRegression(
            means: names.indices.map { Double($0) / 7 }, standardDeviations: names.indices.map { 1 + Double($0) / 3 },
            weights: names.indices.map { sin(Double($0)) * 0.3 }, bias: -0.123456789012345)
        return RouterModel(
            embeddingModel: "test/keywords", maxTokens: 128, truncation: .tail, strongModel: "strong-model", weakModel: "weak-model",
            featureNames: names, regression: regression, training: ["rows": 42])
    }

    @Test func routerJSONRoundTrips() throws {
        let model = Self.sampleModel(dimension: KeywordEmbedder().dimension)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("router-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let loaded = try RouterModel(path: path)
        #expect(loaded == model)
        #expect(loaded.json["version"] == 1)
        #expect(loaded.training["rows"] == 42)
    }

    @Test(arguments: [
        (#"{"version": 2}"#, "version 2 is not supported"),
        (#"{"kind": "mlp"}"#, "'version' is missing"),
        (#"{"version": 1, "embedding_model": "m", "max_tokens": 128, "strong_model": "s", "weak_model": "w", "feature_names": ["a"], "means": [0, 1], "stds": [1], "weights": [1], "bias": 0}"#, "same length"),
        (#"{"version": 1, "embedding_model": "m", "max_tokens": 128, "strong_model": "s", "weak_model": "w", "feature_names": ["a"], "means": [0], "stds": [0], "weights": [1], "bias": 0}"#, "'stds' must be positive"),
        ("[1, 2]", "expected a JSON object"),
    ])
    func rejectsBadRouterFiles(_ text: String, _ expected: String) throws {
        let json = try JSONParser.parse(text)
        #expect {
            try RouterModel(json: json, path: "router.json")
        } throws: { error in
            String(describing: error).hasPrefix("router.json: ") && String(describing: error).contains(expected)
        }
    }

    @Test func classifierMapsProbabilityToComplexity() throws {
        let embedder = KeywordEmbedder()
        let model = Self.sampleModel(dimension: embedder.dimension)
        let classifier = try LearnedRouterClassifier(model: model, embedder: embedder)
        let prompt = SemanticPrompt(text: "prove this hard theorem", messages: [ChatMessage(role: "user", text: "prove this hard theorem")], taxonomy: [])
        let p = classifier.probabilityWeakIsGood(prompt)
        let signals = classifier.classify(prompt)
        #expect(signals.task == nil)
        #expect(abs((signals.complexity ?? -1) - (1 - p)) < 1e-12)
    }

    @Test func classifierRejectsAnotherEmbeddingModel() {
        let model = Self.sampleModel(dimension: 8)
        #expect(throws: EmbeddingError.self) {
            try LearnedRouterClassifier(model: model, embedder: KeywordEmbedder(modelID: "other/model"))
        }
    }

    @Test func trainsOnADatasetWhereTheWeakModelFailsOnHardTopics() throws {
        // Weak fails on "prove"/"distributed" prompts, succeeds on chat and summaries.
        var rows: [RoutingDataset.Row] = []
        let hard = ["prove this theorem", "why does the distributed system fail", "derive the complex formula", "hard distributed proof"]
        let easy = ["hello there", "hi thanks", "summarize this", "write a poem", "tl;dr please"]
        for i in 0..<60 {
            let isHard = i % 2 == 0
            let text = (isHard ? hard[i % hard.count] : easy[i % easy.count]) + " #\(i)"
            rows.append(RoutingDataset.Row(
                id: "r\(i)", prompt: text, outcomes: ["strong": 1, "weak": isHard ? 0 : 1], split: i < 40 ? "train" : "test"))
        }
        let (train, test) = RoutingDataset(rows: rows).trainTestSplit()
        #expect(train.count == 40 && test.count == 20)
        let trainer = RouterTrainer(strongModel: "strong", weakModel: "weak", options: .init(l2: 0.01, iterations: 300))
        let model = trainer.train(rows: train, embedder: KeywordEmbedder(), maxTokens: 128)
        let classifier = try LearnedRouterClassifier(model: model, embedder: KeywordEmbedder())
        let scores = test.map { classifier.classify(SemanticPrompt(text: $0.prompt, messages: [], taxonomy: [])).complexity ?? 0 }
        #expect(RouterTrainer.auc(scores: scores, positives: test.map { !trainer.weakIsGood($0) }) > 0.95)
    }

    @Test func heuristicFeatureNamesMatchValues() {
        let features = HeuristicFeatures()
        let values = features.values(for: "Prove step by step that the sum of two even numbers is even. Answer in one word.")
        #expect(values.count == HeuristicFeatures.names.count)
        #expect(values[0] > 0)  // reasoning vocabulary → positive heuristic complexity
        #expect(values.allSatisfy { $0.isFinite })
    }
}
