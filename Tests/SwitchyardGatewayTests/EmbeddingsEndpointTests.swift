import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardMock

/// `POST /v1/embeddings` with the local model.
@Suite("Embeddings endpoint")
struct EmbeddingsEndpointTests {
    /// `<repo>/models/all-MiniLM-L6-v2`, fetched by scripts/fetch-model.sh.
    static let modelPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/all-MiniLM-L6-v2").path
    static let modelPresent = FileManager.default.fileExists(atPath: modelPath + "/model.safetensors")

    @Test("fp16 weights on a build that widens them in software draw a warning; fp32, or a build with F16C, none")
    func halfPrecisionWarning() {
        var settings = EmbeddingsSettings()
        #expect(SemanticModels.halfPrecisionWarning(settings) == nil)
        settings.halfPrecision = true
        #if AVX512 || AVX2
        #expect(SemanticModels.halfPrecisionWarning(settings) == nil)
        #else
        #expect(SemanticModels.halfPrecisionWarning(settings)?.contains("3.5× slower than fp32") == true)
        #endif
    }

    @Test("vectors in OpenAI's format, unit length, similar texts closer", .enabled(if: modelPresent, "run scripts/fetch-model.sh to fetch the model"))
    func embeds() async throws {
        try await LiveGateway.run(configure: { $0.embeddings.modelPath = Self.modelPath }) { live in
            let response = try await live.post(
                #"{"model":"local/all-MiniLM-L6-v2","input":["The invoice is overdue.","Payment for the bill is late.","Penguins live in Antarctica."]}"#,
                path: "/v1/embeddings")
            #expect(response.status == 200, "\(response.body)")
            let vectors = try #require(response.json["data"]?.arrayValue).map { item in
                (item["embedding"]?.arrayValue ?? []).compactMap(\.doubleValue)
            }
            #expect(vectors.count == 3 && vectors.allSatisfy { $0.count == 384 })
            func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
            #expect(abs(dot(vectors[0], vectors[0]) - 1) < 1e-4)
            #expect(dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2]) + 0.2)
            #expect((response.json["usage"]?["prompt_tokens"]?.intValue ?? 0) > 10)
        }
    }

    @Test("semantic routing: the exemplars pick the task of a prompt no rule matches", .enabled(if: modelPresent, "run scripts/fetch-model.sh to fetch the model"))
    func semanticRouting() async throws {
        let exemplars = FileManager.default.temporaryDirectory.appendingPathComponent("exemplars-\(UUID().uuidString).jsonl")
        try """
            {"text": "Penguins huddle together through the long polar winter.", "task": "code", "complexity": 0.2}
            {"text": "Emperor penguins keep warm by standing in tight groups.", "task": "code", "complexity": 0.2}
            {"text": "What is the capital city of France?", "task": "chat", "complexity": 0.1}
            """.write(to: exemplars, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: exemplars) }
        try await LiveGateway.run(configure: {
            $0.embeddings.modelPath = Self.modelPath
            $0.embeddings.exemplars = exemplars.path
        }) { live in
            // The forward pass runs away from the event loop (awayFromEventLoop); the answer and
            // the record show the classifier was consulted.
            let response = try await live.post(
                #"{"model":"auto","messages":[{"role":"user","content":"Penguins crowd together to survive the winter cold."}]}"#)
            #expect(response.status == 200, "\(response.body)")
            #expect(response.headers["x-switchyard-task"] == "code")
            let id = try #require(response.headers["x-switchyard-decision-id"])
            let record = try await live.get("/v1/decisions/\(id)")
            #expect(record.json["signals"]?["task"]?["source"] == "semantic", "\(record.body)")
        }
    }

    @Test("without the model: 503 for the local model, 404 for others, 400 for bad input")
    func errors() async throws {
        try await LiveGateway.run { live in
            let missing = try await live.post(#"{"model":"local/all-MiniLM-L6-v2","input":"hi"}"#, path: "/v1/embeddings")
            #expect(missing.status == 503)
            #expect(missing.errorCode == "model_not_loaded")
            #expect(try await live.post(#"{"model":"text-embedding-3-small","input":"hi"}"#, path: "/v1/embeddings").status == 404)
            #expect(try await live.post(#"{"input":"hi"}"#, path: "/v1/embeddings").status == 400)
        }
    }

    @Test("a configured model is forwarded to its provider with the upstream id and key, and relayed")
    func forwardsToProvider() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(#"{"model":"cheap","input":["a","b"]}"#, path: "/v1/embeddings")
            #expect(response.status == 200, "\(response.body)")
            #expect(response.json["data"]?.arrayValue?.count == 2)
            let received = try #require(live.mock.requestLog.requests.last)
            #expect(received.body["model"] == "sim-light")
            #expect(received.headers["authorization"] == "Bearer sk-upstream-secret")
        }
    }
}
