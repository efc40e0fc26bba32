import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// `POST /v1/chat/completions`: validates the request, resolves the model, calls its provider and
/// answers in OpenAI's format — as one JSON body, or as server-sent events when `stream` is set.
struct ChatCompletionsHandler: Sendable {
    let configuration: GatewayConfiguration
    let providers: ProviderRegistry

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let body = try await collectBody(request)
        let chat = try ChatCompletionRequest(bytes: body.readableBytesView)
        let deployment = try resolve(model: chat.model)
        guard let adapter = providers.adapter(named: deployment.provider) else {
            throw GatewayError.internalError("No adapter for provider '\(deployment.provider)'.")
        }
        let provider = configuration.provider(named: deployment.provider)
        let forwarded = request.headers.compactMap { field -> (name: String, value: String)? in
            provider?.forwards(header: field.name.canonicalName) == true ? (field.name.canonicalName, field.value) : nil
        }
        let call = ProviderCall(deployment: deployment, request: chat, forwardedHeaders: forwarded)
        var headers: HTTPFields = [
            SwitchyardHeader.model: deployment.name,
            SwitchyardHeader.provider: deployment.provider,
            SwitchyardHeader.tier: deployment.tier,
            SwitchyardHeader.requestID: context.id,
        ]
        if chat.stream {
            // Nothing is sent to the client until the first upstream chunk arrived: a failure
            // up to that point (including an error event as the first chunk) is still an
            // ordinary HTTP error the caller can retry.
            var stream: any ChatCompletionStream
            let first: ChatStreamChunk?
            do {
                stream = try await adapter.stream(call)
                first = try await stream.next()
            } catch {
                throw error.gatewayError
            }
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let relay = StreamRelay(includeUsage: chat.includeUsageInStream, logger: context.logger)
            let opened = stream
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                var stream = opened
                try await relay.relay(first: first, rest: &stream, to: &writer)
            })
        }
        let completion: ProviderCompletion
        do {
            completion = try await adapter.complete(call)
        } catch {
            throw error.gatewayError
        }
        headers[.contentType] = "application/json"
        if let usage = completion.usage {
            headers[SwitchyardHeader.costUSD] = formatUSD(deployment.price.cost(of: usage))
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: completion.bodyBytes)))
    }

    /// The body, refusing anything over `server.max_body_bytes` with 413 (early, from
    /// `Content-Length`, when the client declares it).
    func collectBody(_ request: Request) async throws -> ByteBuffer {
        let limit = configuration.server.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw GatewayError.payloadTooLarge(limitBytes: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw GatewayError.payloadTooLarge(limitBytes: limit)
        }
    }

    /// The deployment a `model` value names.
    func resolve(model: String) throws(GatewayError) -> ModelDeployment {
        guard let deployment = configuration.model(named: model) else {
            throw .modelNotFound(model, available: configuration.models.map(\.name))
        }
        return deployment
    }
}
