import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// A provider that speaks OpenAI's chat-completions API: OpenAI itself, Groq, DeepSeek, Mistral,
/// Together, vLLM, Ollama's `/v1`, LM Studio and `switchyard mock-provider`.
public struct OpenAICompatibleProvider: ChatProvider {
    public let settings: ProviderSettings
    let client: HTTPClient
    let completionsURL: String

    /// Largest non-streamed response body read from the provider.
    static let maximumResponseBytes = 64 * 1024 * 1024

    /// - Parameters:
    ///   - settings: The provider's configuration.
    ///   - client: The HTTP client (owned by the caller) the requests go through.
    public init(settings: ProviderSettings, client: HTTPClient) {
        self.settings = settings
        self.client = client
        self.completionsURL = settings.baseURL + "/chat/completions"
    }

    public func complete(_ call: ProviderCall) async throws(ProviderError) -> ProviderCompletion {
        let request = makeRequest(call, stream: false)
        let bytes: [UInt8]
        do {
            let response = try await client.execute(request, timeout: TimeAmount(min(call.timeout ?? settings.timeout, settings.timeout)))
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: Self.maximumResponseBytes)
            } catch let error as NIOTooManyBytesError {
                throw error
            } catch {
                throw ProviderError.streamInterrupted(message: "the response body ended early (\(ProviderErrorMapping.error(from: error).errorClass))")
            }
            bytes = Array(buffer: body)
            guard (200..<300).contains(response.status.code) else {
                throw ProviderErrorMapping.error(status: Int(response.status.code), headers: Array(response.headers.map { ($0.name, $0.value) }), body: bytes)
            }
        } catch let error as ProviderError {
            throw error
        } catch is NIOTooManyBytesError {
            throw .malformedResponse(message: "response larger than \(Self.maximumResponseBytes) bytes")
        } catch {
            throw ProviderErrorMapping.error(from: error)
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw .malformedResponse(message: "response is not JSON (\(error))")
        }
        guard let object = json.objectValue, object["choices"]?.arrayValue != nil else {
            throw .malformedResponse(message: "response has no 'choices' array")
        }
        return ProviderCompletion(bodyBytes: bytes, body: object, usage: TokenUsage(openAIUsage: object["usage"]))
    }

    public func stream(_ call: ProviderCall) async throws(ProviderError) -> any ChatCompletionStream {
        let request = makeRequest(call, stream: true)
        do {
            let response = try await client.execute(request, timeout: TimeAmount(min(call.timeout ?? settings.timeout, settings.timeout)))
            guard (200..<300).contains(response.status.code) else {
                let body = try await response.body.collect(upTo: 1024 * 1024)
                throw ProviderErrorMapping.error(
                    status: Int(response.status.code), headers: Array(response.headers.map { ($0.name, $0.value) }), body: Array(buffer: body))
            }
            return OpenAIEventStream(body: response.body)
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderErrorMapping.error(from: error)
        }
    }

    /// The upstream request: the client's body with the upstream model id, and, for streams,
    /// usage always requested so every streamed token is accounted for.
    func makeRequest(_ call: ProviderCall, stream: Bool) -> HTTPClientRequest {
        var body = call.request.body
        body["model"] = .string(call.deployment.upstreamModel)
        if stream {
            body["stream"] = .bool(true)
            var options = body["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = .bool(true)
            body["stream_options"] = .object(options)
        } else if body["stream"] != nil {
            body["stream"] = .bool(false)
        }
        var request = HTTPClientRequest(url: completionsURL)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        if let apiKey = settings.apiKey {
            request.headers.add(name: "authorization", value: "Bearer \(apiKey)")
        }
        for (name, value) in settings.headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        for header in call.forwardedHeaders {
            request.headers.replaceOrAdd(name: header.name, value: header.value)
        }
        request.body = .bytes(JSONWriter.bytes(.object(body)))
        return request
    }
}

/// Reads an OpenAI SSE body chunk by chunk, without an intermediate task or buffer.
///
/// `@unchecked Sendable`: the stream is created by the request handler and then consumed by
/// exactly one task (the response writer); it is never shared between tasks concurrently.
struct OpenAIEventStream: ChatCompletionStream, @unchecked Sendable {
    private let body: HTTPClientResponse.Body
    private var iterator: HTTPClientResponse.Body.AsyncIterator?
    private var parser = ServerSentEventParser()
    private var pending: [ServerSentEvent] = []
    private var pendingIndex = 0
    private var finished = false

    init(body: HTTPClientResponse.Body) {
        self.body = body
    }

    var hasBufferedChunk: Bool { pendingIndex < pending.count }

    mutating func next() async throws(ProviderError) -> ChatStreamChunk? {
        while !finished {
            if pendingIndex < pending.count {
                let event = pending[pendingIndex]
                pendingIndex += 1
                if event.isDone {
                    finished = true
                    return nil
                }
                return try chunk(from: event)
            }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            if iterator == nil { iterator = body.makeAsyncIterator() }
            let buffer: ByteBuffer?
            do {
                buffer = try await iterator!.next()
            } catch {
                finished = true
                throw .streamInterrupted(message: "\(ProviderErrorMapping.error(from: error).errorClass): \(error)")
            }
            guard let buffer else {
                finished = true
                throw .streamInterrupted(message: "the provider closed the stream before 'data: [DONE]'")
            }
            do {
                try parser.feed(buffer.readableBytesView, into: &pending)
            } catch {
                finished = true
                throw .malformedResponse(message: "a stream event exceeded \(parser.maximumEventBytes) bytes")
            }
        }
        return nil
    }

    /// The chunk of `event`. Only chunks that may carry usage or an error are parsed; the rest
    /// are checked to look like a JSON object and relayed as they came.
    private mutating func chunk(from event: ServerSentEvent) throws(ProviderError) -> ChatStreamChunk {
        guard JSONKeyScanner.looksLikeObject(event.data) else { throw malformed(event) }
        if JSONKeyScanner.mayHaveMember("error", in: event.data) {
            guard let object = (try? JSONParser.parse(event.data))?.objectValue else { throw malformed(event) }
            if let error = object["error"], error != .null {
                finished = true
                let message = error["message"]?.stringValue ?? error.stringValue ?? "error event"
                let code = error["code"]?.stringValue ?? error["type"]?.stringValue
                if code == "rate_limit_exceeded" || code == "rate_limit_error" { throw .rateLimited(retryAfter: nil, message: message) }
                throw .serverError(status: error["status"]?.intValue ?? 500, message: message)
            }
            return ChatStreamChunk(data: event.data, json: object)
        }
        guard let chunk = ChatStreamChunk(data: event.data) else { throw malformed(event) }
        return chunk
    }

    private mutating func malformed(_ event: ServerSentEvent) -> ProviderError {
        finished = true
        return .malformedResponse(message: "stream event is not a JSON object: \(event.data.prefix(80))")
    }
}
