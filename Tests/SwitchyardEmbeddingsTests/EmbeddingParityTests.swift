import Foundation
import SwitchyardCore
import SwitchyardEmbeddings
import Testing

/// Embeddings must match sentence-transformers' (reference.json, 256-token limit).
@Suite("MiniLM embedding parity with sentence-transformers")
struct EmbeddingParityTests {
    struct Reference {
        var text: String
        var embedding: [Double]
    }

    static func references() throws -> [Reference] {
        let items = try #require(try TestResources.json("reference.json")["items"]?.arrayValue)
        return try items.map { item in
            Reference(
                text: try #require(item["text"]?.stringValue),
                embedding: try #require(item["embedding"]?.arrayValue).compactMap(\.doubleValue))
        }
    }

    // Skipped when the model cannot be obtained or the shared fixture is absent (TestResources
    // prints why).
    @Test(.enabled(if: TestResources.hasModel && TestResources.hasFixture("reference.json"), "needs the model and ../shared/fixtures/minilm/reference.json"))
    func everySentenceOneByOne() async throws {
        let embedder = try #require(TestResources.embedder)
        let references = try Self.references()
        let vectors = try await TestResources.onOwnThread { references.map { embedder.embed($0.text) } }
        var worst = 1.0
        for (vector, reference) in zip(vectors, references) {
            #expect(vector.count == 384)
            let cosine = TestResources.cosine(vector, reference.embedding)
            worst = min(worst, cosine)
            #expect(cosine >= 0.9999, "\(reference.text.prefix(60)): cosine \(cosine)")
        }
        print("embedding parity (\(embedder.backendDescription)): worst cosine \(worst)")
    }

    @Test(.enabled(if: TestResources.hasModel && TestResources.hasFixture("reference.json"), "needs the model and ../shared/fixtures/minilm/reference.json"))
    func packedBatchMatchesToo() async throws {
        let embedder = try #require(TestResources.embedder)
        let references = try Self.references()
        let vectors = try await TestResources.onOwnThread { embedder.embed(batch: references.map(\.text)) }
        #expect(vectors.count == references.count)
        for (vector, reference) in zip(vectors, references) {
            #expect(TestResources.cosine(vector, reference.embedding) >= 0.9999, "\(reference.text.prefix(60))")
        }
    }

    @Test(.enabled(if: TestResources.hasModel && TestResources.hasFixture("reference.json"), "needs the model and ../shared/fixtures/minilm/reference.json"))
    func halfPrecisionWeightsStayClose() async throws {
        let directory = try #require(TestResources.modelDirectory)
        let references = try Self.references()
        // Seconds in a debug build: fp16 weights are widened as they are used.
        let vectors = try await TestResources.onOwnThread {
            let embedder = try MiniLMEmbedder(directory: directory, options: EmbeddingModelOptions(weightPrecision: .float16))
            return references.map { embedder.embed($0.text) }
        }
        #expect(vectors.count == references.count)
        var worst = 1.0
        for (vector, reference) in zip(vectors, references) {
            worst = min(worst, TestResources.cosine(vector, reference.embedding))
        }
        print("embedding parity (fp16 weights): worst cosine \(worst)")
        #expect(worst >= 0.999)
    }

    @Test(.enabled(if: TestResources.hasModel && TestResources.hasFixture("reference.json"), "needs the model and ../shared/fixtures/minilm/reference.json"))
    func swiftKernelsMatchWhateverBackendIsDefault() async throws {
        let directory = try #require(TestResources.modelDirectory)
        let references = Array(try Self.references().prefix(6))
        let (usesOpenBLAS, vectors) = try await TestResources.onOwnThread {
            let embedder = try MiniLMEmbedder(directory: directory, options: EmbeddingModelOptions(backend: .swiftSIMD))
            return (embedder.usesOpenBLAS, references.map { embedder.embed($0.text) })
        }
        #expect(!usesOpenBLAS)
        for (vector, reference) in zip(vectors, references) {
            #expect(TestResources.cosine(vector, reference.embedding) >= 0.9999)
        }
    }

    @Test(.enabled(if: TestResources.hasModel, "needs the model"))
    func concurrentCallsAgree() async throws {
        let embedder = try #require(TestResources.embedder).truncating(to: 128)
        let texts = ["route me to a cheap model", "prove that the square root of two is irrational", "hola, ¿qué tal?", "東京の天気は？"]
        let expected = try await TestResources.onOwnThread { texts.map(embedder.embed) }
        // Each call on a thread of its own: seconds of a debug build's arithmetic on Swift's
        // shared threads would hold up every other test's tasks.
        try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for round in 0..<16 {
                let index = round % texts.count
                group.addTask { (index, try await TestResources.onOwnThread { embedder.embed(texts[index]) }) }
            }
            for try await (index, vector) in group { #expect(vector == expected[index]) }
        }
    }
}
