import Hummingbird
import SwitchyardCore

extension MockProvider {
    /// `POST /v1/embeddings`: deterministic 8-dimensional unit vectors (a hash of each input), with
    /// usage, so gateway tests can check that embedding requests are forwarded and relayed.
    func embeddings(_ request: Request) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 * 1024 * 1024)
        guard let body = try? JSONParser.parse(buffer.readableBytesView), let model = body["model"]?.stringValue else {
            return Self.json(["error": ["message": "model and input are required", "type": "invalid_request_error"]], status: .badRequest)
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        requestLog.append(MockRecordedRequest(path: request.uri.path, headers: headers, body: body, rawBody: Array(buffer.readableBytesView)))
        let inputs: [String] = body["input"]?.stringValue.map { [$0] } ?? body["input"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let data = inputs.enumerated().map { index, text -> JSONValue in
            var state = text.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
            var vector = (0..<8).map { _ -> Double in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(state >> 11) / Double(1 << 53) - 0.5
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            vector = vector.map { $0 / norm }
            return ["object": "embedding", "index": .int(Int64(index)), "embedding": .array(vector.map(JSONValue.double))]
        }
        let tokens = inputs.reduce(0) { $0 + max(1, $1.utf8.count / 4) }
        return Self.json([
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": .int(Int64(tokens)), "total_tokens": .int(Int64(tokens))],
        ])
    }
}
