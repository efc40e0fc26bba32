import Foundation

/// all-MiniLM-L6-v2 sentence embeddings computed in-process: 384 floats of unit length, the
/// same vectors as sentence-transformers (cosine ≥ 0.9999).
///
/// Load once from the model folder that `scripts/fetch-model.sh` fills, then share: the type is
/// immutable and safe to call from many tasks at once.
///
/// ```swift
/// let embedder = try MiniLMEmbedder(directory: "models/all-MiniLM-L6-v2", options: .router)
/// let vector = embedder.embed("Summarise this contract in three bullet points")
/// ```
public final class MiniLMEmbedder: TextEmbedder, Sendable {
    /// The sentence-transformers model this reproduces.
    public static let defaultModelID = "sentence-transformers/all-MiniLM-L6-v2"
    /// Files the model folder must hold.
    public static let requiredFiles = ["model.safetensors", "vocab.txt", "config.json"]

    public let modelID: String
    public let tokenizer: BertTokenizer
    public let options: EmbeddingModelOptions
    let model: MiniLMModel

    /// Loads `config.json`, `vocab.txt` and `model.safetensors` from `directory`.
    ///
    /// - Throws: ``EmbeddingError`` naming the file that is missing or malformed.
    public convenience init(directory: String, options: EmbeddingModelOptions = EmbeddingModelOptions(), modelID: String = MiniLMEmbedder.defaultModelID)
        throws(EmbeddingError)
    {
        let folder = URL(fileURLWithPath: directory)
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        for name in Self.requiredFiles where !FileManager.default.isReadableFile(atPath: path(name)) {
            throw .missingFile(path: path(name))
        }
        let configuration = try BertConfiguration(path: path("config.json"))
        let vocabulary = try WordPieceVocabulary(path: path("vocab.txt"))
        guard vocabulary.count == configuration.vocabularySize else {
            throw .invalidFile(path: path("vocab.txt"), reason: "has \(vocabulary.count) tokens, config.json says vocab_size \(configuration.vocabularySize)")
        }
        let file = try SafeTensorsFile(path: path("model.safetensors"))
        let weights = try MiniLMWeights(file: file, configuration: configuration, precision: options.weightPrecision)
        self.init(model: MiniLMModel(weights: weights, backend: options.backend, precision: options.weightPrecision),
                  tokenizer: BertTokenizer(vocabulary: vocabulary), options: options, modelID: modelID)
    }

    init(model: MiniLMModel, tokenizer: BertTokenizer, options: EmbeddingModelOptions, modelID: String) {
        var options = options
        options.maxTokens = min(max(options.maxTokens, 2), model.weights.configuration.maxPositions)
        self.model = model
        self.tokenizer = tokenizer
        self.options = options
        self.modelID = modelID
    }

    /// The same model (weights shared, nothing reloaded) with another token limit, e.g. 256 for
    /// `/v1/embeddings` and 128 for routing.
    public func truncating(to maxTokens: Int, keeping truncation: EmbeddingModelOptions.Truncation? = nil) -> MiniLMEmbedder {
        var options = self.options
        options.maxTokens = maxTokens
        if let truncation { options.truncation = truncation }
        return MiniLMEmbedder(model: model, tokenizer: tokenizer, options: options, modelID: modelID)
    }

    /// 384 for all-MiniLM-L6-v2.
    public var dimension: Int { model.hiddenSize }

    /// Whether dense layers run through OpenBLAS (trait `OpenBLAS`, fp32 weights).
    public var usesOpenBLAS: Bool { model.useBLAS }

    /// Whether this build widens fp16 weights with the CPU's F16C instructions (trait `AVX2` or
    /// `AVX512`). Without them every conversion is a library call, made once per weight and
    /// forward pass, and fp16 weights run slower than fp32 (the Embeddings microbenchmarks on the
    /// default build: 60 against 17 ms for 16 tokens, 134 against 123 ms for 128).
    public static var widensHalfPrecisionInHardware: Bool {
        #if AVX512 || AVX2
        true
        #else
        false
        #endif
    }

    /// What runs the model, for a startup log line, e.g. `OpenBLAS (SkylakeX kernels), fp32` or
    /// `Swift SIMD (AVX2), fp16`. OpenBLAS's `Prescott` kernels mean it did not recognise the CPU;
    /// set `OPENBLAS_CORETYPE` (e.g. `SkylakeX` or `Haswell`) in the environment.
    public var backendDescription: String {
        let precision = options.weightPrecision.rawValue.replacingOccurrences(of: "float", with: "fp")
        if model.useBLAS { return "OpenBLAS (\(BLASKernels.coreName ?? "unknown") kernels), \(precision)" }
        #if AVX512
        let target = "AVX-512"
        #elseif AVX2
        let target = "AVX2"
        #else
        let target = "baseline target, no FMA"
        #endif
        return "Swift SIMD (\(target)), \(precision)"
    }

    /// Token ids of `text` as the model sees them (`[CLS] … [SEP]`, truncated to `maxTokens`).
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(text, maxLength: options.maxTokens, keeping: options.truncation)
    }

    /// The unit-length embedding of `text`, truncated to `options.maxTokens` tokens.
    public func embed(_ text: String) -> [Float] {
        model.embed([tokenize(text)])[0]
    }

    /// Texts per packed batch: bounds scratch memory (rows × 1536 floats) for long lists.
    static let batchLimit = 16

    /// Embeddings of `texts`, computed in packed batches of up to 16 (no padding).
    public func embed(batch texts: [String]) -> [[Float]] {
        var result: [[Float]] = []
        result.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let end = min(texts.count, start + Self.batchLimit)
            result += model.embed(texts[start..<end].map(tokenize))
            start = end
        }
        return result
    }

    /// Embeddings of pre-tokenized sequences (each `[CLS] … [SEP]`, at most 512 ids).
    public func embed(tokenIDs: [[Int32]]) -> [[Float]] {
        model.embed(tokenIDs)
    }
}
