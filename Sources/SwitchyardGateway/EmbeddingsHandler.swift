import AsyncHTTPClient
import Dispatch
import Hummingbird
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardEmbeddings

/// `POST /v1/embeddings`: `local/all-MiniLM-L6-v2` computed in-process, in OpenAI's format
/// (`input` a string or a list of strings, batched in one forward pass; `encoding_format`
/// `float`); any configured model name is forwarded to its provider's `/embeddings` with the
/// upstream model id and the provider's key, and the provider's answer is returned as it came.
struct EmbeddingsHandler: Sendable {
    let embedder: MiniLMEmbedder?
    let maxBodyBytes: Int
    let configuration: GatewayConfiguration
    let providers: ProviderRegistry
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
            guard let deployment = configuration.model(named: model), let provider = configuration.provider(named: deployment.provider) else {
                throw GatewayError.modelNotFound(model, available: [SemanticModels.publicModelName] + configuration.models.map(\.name))
            }
            guard provider.kind == .openai else {
                throw GatewayError.invalidRequest(
                    "Model '\(model)' is served by provider '\(provider.name)' (kind \(provider.kind.rawValue)), which has no embeddings API.",
                    param: "model", code: "model_not_supported")
            }
            return try await forward(json, deployment: deployment, provider: provider)
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

    /// Sends the request to the deployment's provider and relays its answer.
    private func forward(_ json: JSONValue, deployment: ModelDeployment, provider: ProviderSettings) async throws -> Response {
        guard var body = json.objectValue, let client = providers.client(forProvider: provider.name) else {
            throw GatewayError.internalError("No client for provider '\(provider.name)'.")
        }
        body["model"] = .string(deployment.upstreamModel)
        var request = HTTPClientRequest(url: provider.baseURL + "/embeddings")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let key = provider.apiKey { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        for (name, value) in provider.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(.object(body))))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(provider.timeout.components.seconds)))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                // The provider's own error, with its status class kept (4xx stays the caller's fault).
                let message = (try? JSONParser.parse(bytes.readableBytesView))?["error"]?["message"]?.stringValue ?? String(buffer: bytes)
                throw GatewayError(
                    status: status >= 500 ? 502 : status, type: status >= 500 ? "server_error" : "invalid_request_error",
                    code: status >= 500 ? "upstream_server_error" : nil, message: "Provider '\(provider.name)': \(message)")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: bytes))
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError(
                status: 502, type: "server_error", code: "upstream_unreachable", message: "Provider '\(provider.name)' could not be reached: \(error)")
        }
    }
}
