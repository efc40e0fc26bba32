/// Something that turns text into a fixed-size vector (unit length for cosine similarity).
///
/// ``MiniLMEmbedder`` is the real one; the classifiers take any conforming type, so tests can
/// inject a tiny hand-made embedding and run without the model.
public protocol TextEmbedder: Sendable {
    /// Identifies the model, e.g. `sentence-transformers/all-MiniLM-L6-v2`; stored in `router.json`
    /// so a router is never used with embeddings from another model.
    var modelID: String { get }
    /// Length of every vector ``embed(_:)`` returns.
    var dimension: Int { get }
    /// The embedding of `text`.
    func embed(_ text: String) -> [Float]
    /// Embeddings of several texts, in order.
    func embed(batch texts: [String]) -> [[Float]]
}

extension TextEmbedder {
    /// Embeddings of several texts, one at a time (types that can batch override this).
    public func embed(batch texts: [String]) -> [[Float]] { texts.map(embed) }
}
