/// How a ``MiniLMEmbedder`` stores its weights and runs its dense layers.
public struct EmbeddingModelOptions: Sendable, Hashable {
    /// Storage of the encoder's dense weights.
    public enum WeightPrecision: String, Sendable, Hashable {
        /// Exact (cosine ≥ 0.99999 against sentence-transformers).
        case float32
        /// Half the memory traffic: faster for short prompts; cosine ≈ 0.9999996. Only fast when
        /// built with the `AVX2` or `AVX512` trait (F16C); otherwise every weight is widened by a
        /// library call once per forward pass, slower than fp32.
        case float16
    }

    /// Which matrix-multiply implementation runs the dense layers.
    public enum Backend: String, Sendable, Hashable {
        /// OpenBLAS when the package was built with the `OpenBLAS` trait and weights are fp32,
        /// otherwise the Swift SIMD kernels.
        case automatic
        /// The pure-Swift SIMD kernels (always available).
        case swiftSIMD
        /// OpenBLAS `cblas_sgemm` with one BLAS thread; falls back to Swift SIMD when the
        /// package was built without the `OpenBLAS` trait or with fp16 weights.
        case openBLAS
    }

    /// Which end of a long input is kept.
    public enum Truncation: String, Sendable, Hashable {
        /// The first `maxTokens − 2` word pieces (sentence-transformers' behaviour).
        case head
        /// The last `maxTokens − 2` word pieces: for prompts whose question comes after long
        /// context or few-shot examples. Tokenizes the whole text.
        case tail
    }

    /// Longest input in tokens, `[CLS]` and `[SEP]` included (sentence-transformers uses 256;
    /// the router uses 128, the model's training length). Capped at the model's 512 positions.
    public var maxTokens: Int
    public var weightPrecision: WeightPrecision
    public var backend: Backend
    public var truncation: Truncation

    public init(maxTokens: Int = 256, weightPrecision: WeightPrecision = .float32, backend: Backend = .automatic, truncation: Truncation = .head) {
        self.maxTokens = maxTokens
        self.truncation = truncation
        self.weightPrecision = weightPrecision
        self.backend = backend
    }

    /// The setting for routing: prompts truncated to 128 tokens.
    public static let router = EmbeddingModelOptions(maxTokens: 128)
}
