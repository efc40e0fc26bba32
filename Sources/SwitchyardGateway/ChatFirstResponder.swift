import HTTPTypes
import Hummingbird
import NIOCore

/// The gateway's responder. `POST /v1/chat/completions`, nearly every request a gateway
/// answers, goes straight to its handler, its errors translated as the router's error middleware
/// translates them, and `POST /v1/messages` straight to its own, both with the body the server
/// collected; every other request goes to the router, whose path lookup cost about 1.5 % of a
/// chat request's CPU. A request with a query string takes the router's way, to the same
/// handlers.
struct ChatFirstResponder: CollectedBodyResponder {
    typealias Context = BasicRequestContext

    /// The path answered without the router.
    static let chatPath = "/v1/chat/completions"

    let chat: ChatCompletionsHandler
    let messages: MessagesHandler
    let router: RouterResponder<Context>

    func respond(to request: Request, context: Context) async throws -> Response {
        try await respond(to: request, collectedBody: nil, context: context)
    }

    /// The chat handler gets the body the server collected, so it does not read `request.body`.
    @concurrent func respond(to request: Request, collectedBody: ByteBuffer, context: Context) async throws -> Response {
        try await respond(to: request, collectedBody: Optional(collectedBody), context: context)
    }

    private func respond(to request: Request, collectedBody: ByteBuffer?, context: Context) async throws -> Response {
        guard request.method == .post, request.head.path == Self.chatPath else {
            if request.method == .post, request.head.path == MessagesHandler.path {
                context.coreContext.endpointPath.value = MessagesHandler.path
                return await messages.handle(request, collectedBody: collectedBody, context: context)
            }
            return try await router.respond(to: request, context: context)
        }
        // What the router records for the endpoint (metrics read it); the path's box is shared
        // with the caller's context.
        context.coreContext.endpointPath.value = Self.chatPath
        // The error middleware's own translation, without its closure's async frame.
        do {
            return try await chat.handle(request, collectedBody: collectedBody, context: context)
        } catch {
            return OpenAIErrorMiddleware<Context>.response(for: error, request: request, context: context)
        }
    }
}
