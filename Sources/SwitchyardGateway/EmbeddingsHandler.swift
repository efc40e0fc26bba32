import Dispatch
import Hummingbird
import SwitchyardCore
import SwitchyardEmbeddings

/// `POST /v1/embeddings` for `local/all-MiniLM-L6-v2`, computed in-process, in OpenAI's format:
/// `input` is a string or a list of strings (batched in one forward pass); `encoding_format` may
/// be `float` (the default).
struct EmbeddingsHandler: Sendable {
    let embedder: MiniLMEmbedder?
    let maxBodyBytes: Int
    /// Most inputs in one request.
    static let maximumInputs = 256

    func handle(_ request: Request) async throws -> Response {
        let body = try await collectBody(request, limit: maxBodyBytes)
        let json: JSONValue
        do throws(JSONParseError) {
            json = try JSONParser.parse(body.readableBytesView)
        } catch {
            throw GatewayError.malformedJSON(error)
        }
        guard let model = json["model"]?.stringValue else {
            throw GatewayError.invalidRequest("'model' is required.", param: "model", code: "missing_required_parameter")
        }
        guard model == SemanticModels.publicModelName else {
            throw GatewayError.modelNotFound(model, available: [SemanticModels.publicModelName])
        }
        guard let embedder else {
            throw GatewayError(
                status: 503, type: "service_unavailable_error", code: "model_not_loaded",
                message: "The local embedding model is not loaded (embeddings.model_path); run scripts/fetch-model.sh and restart.")
        }
        let inputs: [String]
        switch json["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): inputs = items.compactMap(\.stringValue)
        default:
            throw GatewayError.invalidRequest("'input' must be a string or a non-empty list of strings.", param: "input", code: "invalid_type")
        }
        guard inputs.count <= Self.maximumInputs else {
            throw GatewayError.invalidRequest("At most \(Self.maximumInputs) inputs per request.", param: "input", code: "invalid_value")
        }
        if let format = json["encoding_format"]?.stringValue, format != "float" {
            throw GatewayError.invalidRequest("'encoding_format' must be 'float'.", param: "encoding_format", code: "invalid_value")
        }
        // The forward pass is CPU work: run it off the cooperative pool.
        let (vectors, tokens) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let tokens = inputs.reduce(0) { $0 + embedder.tokenize($1).count }
                continuation.resume(returning: (embedder.embed(batch: inputs), tokens))
            }
        }
        let data = vectors.enumerated().map { index, vector -> JSONValue in
            ["object": "embedding", "index": .int(Int64(index)), "embedding": .array(vector.map { .double(Double($0)) })]
        }
        return jsonResponse([
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": .int(Int64(tokens)), "total_tokens": .int(Int64(tokens))],
        ])
    }
}
