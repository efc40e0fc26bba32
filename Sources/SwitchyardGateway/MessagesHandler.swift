import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore

/// `POST /v1/messages`: Anthropic's Messages API in front of the same request path as
/// `/v1/chat/completions`.
///
/// The body is turned into a chat-completions request (``AnthropicMessagesRequest``), which is
/// authenticated, routed, gated, booked and answered as any other; the answer comes back as an
/// Anthropic `message`, or as Anthropic's stream events, and errors in Anthropic's shape with the
/// same status. Anthropic's SDKs send their key as `x-api-key`; it is read as the virtual key, as
/// `Authorization: Bearer` is, and never forwarded. The decision headers
/// (`x-switchyard-decision-id`, `-model`, `-tier`, `-cost-usd`, …) and hint headers work as on
/// the chat route; the ledger records the endpoint as `messages`.
struct MessagesHandler: Sendable {
    let chat: ChatCompletionsHandler

    /// The route's path.
    static let path = "/v1/messages"

    /// The largest answer translated (the chat route's answers are read whole before they are
    /// sent, so this is only a guard).
    static let maximumAnswerBytes = 64 * 1024 * 1024

    /// The header Anthropic's SDKs carry the API key in.
    static let apiKeyHeader = HTTPField.Name("x-api-key")!

    /// - Parameter collectedBody: The request's body when the server has already read it
    ///   (see ``CollectedBodyResponder``); `nil` reads `request.body`.
    func handle(_ request: Request, collectedBody: ByteBuffer? = nil, context: some RequestContext) async -> Response {
        do {
            return try await answer(request, collectedBody: collectedBody, context: context)
        } catch {
            return Self.errorResponse(for: error, request: request, context: context)
        }
    }

    private func answer(_ request: Request, collectedBody: ByteBuffer?, context: some RequestContext) async throws -> Response {
        let received = ContinuousClock.now
        let messages: AnthropicMessagesRequest
        do {
            messages = try await Self.read(request, collectedBody: collectedBody, limit: chat.configuration.server.maxBodyBytes)
        } catch {
            // Refused before the chat route saw it: booked here, as that route books its refusals.
            chat.bookRefused(error, endpoint: "messages", received: received, context: context)
            throw error
        }
        // The chat route takes the translated body as it is; the request's body is not read again.
        let chatRequest = Request(head: Self.chatHead(request.head), body: .init(buffer: ByteBuffer()))
        let response = try await chat.handle(chatRequest, ingress: .messages(messages), context: context)
        if messages.stream, response.status == .ok {
            return Self.streamed(response)
        }
        return try await Self.translated(response, limit: Self.maximumAnswerBytes)
    }

    /// The request's body, parsed once and translated.
    private static func read(_ request: Request, collectedBody: ByteBuffer?, limit: Int) async throws -> AnthropicMessagesRequest {
        let body = try await collectBody(request, limit: limit, collected: collectedBody)
        let json: JSONValue
        do {
            json = try JSONParser.parse(body.readableBytesView)
        } catch {
            throw GatewayError.malformedJSON(error)
        }
        return try AnthropicMessagesRequest(json: json)
    }

    /// The head the chat route sees: `x-api-key` as the bearer credential (unless the client
    /// also sent one), and gone from the headers that could be forwarded.
    static func chatHead(_ head: HTTPRequest) -> HTTPRequest {
        var head = head
        head.path = ChatFirstResponder.chatPath
        if let key = head.headerFields[apiKeyHeader] {
            if head.headerFields[.authorization] == nil { head.headerFields[.authorization] = "Bearer \(key)" }
            head.headerFields[apiKeyHeader] = nil
        }
        return head
    }

    /// A whole answer, as an Anthropic `message` (or, for an error body, Anthropic's error).
    static func translated(_ response: Response, limit: Int) async throws -> Response {
        let collector = BodyCollector(limit: limit)
        try await response.body.write(collector)
        let bytes = Array(collector.collected.readableBytesView)
        let translated: JSONValue
        if response.status == .ok {
            translated = AnthropicMessage.message(fromChatCompletionBytes: bytes)
        } else {
            let error = (try? JSONParser.parse(bytes))?["error"]
            translated = AnthropicMessage.error(
                status: response.status.code, openAIType: error?["type"]?.stringValue,
                message: error?["message"]?.stringValue ?? response.status.reasonPhrase)
        }
        var headers = response.headers
        headers[.contentLength] = nil
        headers[.contentType] = "application/json"
        return Response(status: response.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(translated))))
    }

    /// A stream, as Anthropic's events.
    static func streamed(_ response: Response) -> Response {
        var headers = response.headers
        headers[.contentLength] = nil
        let inner = response.body
        return Response(status: response.status, headers: headers, body: ResponseBody { writer in
            try await inner.write(writer.anthropicEvents())
        })
    }

    /// Any error, as Anthropic's error object with the status OpenAI's shape would have had.
    static func errorResponse(for error: any Error, request: Request, context: some RequestContext) -> Response {
        let openAI = gatewayError(for: error, request: request, logger: context.logger)
        var response = openAI.response(body: AnthropicMessage.error(status: openAI.status, openAIType: openAI.type, message: openAI.message))
        response.headers[SwitchyardHeader.decisionID] = context.id
        return response
    }
}
