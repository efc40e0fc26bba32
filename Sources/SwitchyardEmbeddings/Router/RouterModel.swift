import Foundation
import SwitchyardCore

/// A trained learned router, stored as `router.json`.
///
/// ```json
/// {
///   "version": 1,
///   "kind": "logistic_regression",
///   "target": "p_weak_good",
///   "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
///   "max_tokens": 128,
///   "truncation": "head",
///   "strong_model": "gpt-4-1106-preview",
///   "weak_model": "mistralai/mixtral-8x7b-chat",
///   "feature_names": ["embedding.0", …, "embedding.383", "heuristic.complexity", …],
///   "means": [...], "stds": [...], "weights": [...], "bias": -0.12,
///   "training": {"rows": 2225, "l2": 0.01, …}
/// }
/// ```
///
/// The model predicts P(the weak model's answer is good enough) from the standardized features
/// `(x − means) / stds`: `σ(weights · z + bias)`. Features named `embedding.i` are the prompt's
/// embedding (from `embedding_model`, truncated to `max_tokens` keeping the `truncation` end,
/// `head` when absent); the others are
/// ``HeuristicFeatures``, by name. `training` is free-form provenance.
public struct RouterModel: Sendable, Hashable {
    /// The file format version this code reads and writes.
    public static let formatVersion = 1

    public var embeddingModel: String
    public var maxTokens: Int
    /// Which end of a long prompt the embedding saw during training.
    public var truncation: EmbeddingModelOptions.Truncation
    public var strongModel: String
    public var weakModel: String
    public var featureNames: [String]
    public var regression: LogisticRegression
    /// Free-form training facts (rows, λ, metrics), kept as written.
    public var training: JSONObject

    public init(
        embeddingModel: String, maxTokens: Int, truncation: EmbeddingModelOptions.Truncation = .head, strongModel: String, weakModel: String,
        featureNames: [String], regression: LogisticRegression, training: JSONObject = JSONObject()
    ) {
        precondition(featureNames.count == regression.weights.count, "one name per weight")
        self.embeddingModel = embeddingModel
        self.maxTokens = maxTokens
        self.truncation = truncation
        self.strongModel = strongModel
        self.weakModel = weakModel
        self.featureNames = featureNames
        self.regression = regression
        self.training = training
    }

    /// Feature names of a router on an embedding of `dimension` floats plus ``HeuristicFeatures``.
    public static func featureNames(embeddingDimension dimension: Int) -> [String] {
        (0..<dimension).map { "embedding.\($0)" } + HeuristicFeatures.names
    }

    /// The `router.json` document.
    public var json: JSONValue {
        func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .double($0) }) }
        return .object(JSONObject([
            ("version", .int(Int64(Self.formatVersion))),
            ("kind", "logistic_regression"),
            ("target", "p_weak_good"),
            ("embedding_model", .string(embeddingModel)),
            ("max_tokens", .int(Int64(maxTokens))),
            ("truncation", .string(truncation.rawValue)),
            ("strong_model", .string(strongModel)),
            ("weak_model", .string(weakModel)),
            ("feature_names", .array(featureNames.map { .string($0) })),
            ("means", numbers(regression.means)),
            ("stds", numbers(regression.standardDeviations)),
            ("weights", numbers(regression.weights)),
            ("bias", .double(regression.bias)),
            ("training", .object(training)),
        ]))
    }

    /// Writes `router.json` to `path`.
    public func save(to path: String) throws(EmbeddingError) {
        do {
            try Data(JSONWriter.bytes(json)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .invalidFile(path: path, reason: "could not write: \(error)")
        }
    }

    /// Reads `router.json` from `path`.
    public init(path: String) throws(EmbeddingError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch { throw .invalidFile(path: path, reason: "not valid JSON (\(error))") }
        try self.init(json: json, path: path)
    }

    /// Reads a `router.json` document; `path` is used in error messages.
    public init(json: JSONValue, path: String) throws(EmbeddingError) {
        func fail(_ reason: String) -> EmbeddingError { .invalidFile(path: path, reason: reason) }
        guard json.objectValue != nil else { throw fail("expected a JSON object") }
        guard let version = json["version"]?.intValue else { throw fail("'version' is missing") }
        guard version == Self.formatVersion else { throw fail("version \(version) is not supported (this build reads version \(Self.formatVersion))") }
        if let kind = json["kind"]?.stringValue, kind != "logistic_regression" { throw fail("kind '\(kind)' is not supported") }
        func string(_ key: String) throws(EmbeddingError) -> String {
            guard let value = json[key]?.stringValue else { throw fail("'\(key)' must be a string") }
            return value
        }
        func numbers(_ key: String) throws(EmbeddingError) -> [Double] {
            guard let array = json[key]?.arrayValue else { throw fail("'\(key)' must be an array of numbers") }
            let values = array.compactMap(\.doubleValue)
            guard values.count == array.count, values.allSatisfy(\.isFinite) else { throw fail("'\(key)' must hold only finite numbers") }
            return values
        }
        guard let names = json["feature_names"]?.arrayValue?.compactMap(\.stringValue) else { throw fail("'feature_names' must be an array of strings") }
        let means = try numbers("means"), stds = try numbers("stds"), weights = try numbers("weights")
        guard means.count == names.count, stds.count == names.count, weights.count == names.count else {
            throw fail("feature_names, means, stds and weights must have the same length (\(names.count), \(means.count), \(stds.count), \(weights.count))")
        }
        guard stds.allSatisfy({ $0 > 0 }) else { throw fail("'stds' must be positive") }
        guard let bias = json["bias"]?.doubleValue, bias.isFinite else { throw fail("'bias' must be a finite number") }
        guard let maxTokens = json["max_tokens"]?.intValue, maxTokens >= 2 else { throw fail("'max_tokens' must be an integer ≥ 2") }
        var truncation = EmbeddingModelOptions.Truncation.head
        if let raw = json["truncation"], raw != .null {
            guard let name = raw.stringValue, let value = EmbeddingModelOptions.Truncation(rawValue: name) else { throw fail("'truncation' must be \"head\" or \"tail\"") }
            truncation = value
        }
        self.init(
            embeddingModel: try string("embedding_model"), maxTokens: maxTokens, truncation: truncation, strongModel: try string("strong_model"),
            weakModel: try string("weak_model"), featureNames: names,
            regression: LogisticRegression(means: means, standardDeviations: stds, weights: weights, bias: bias),
            training: json["training"]?.objectValue ?? JSONObject())
    }
}
