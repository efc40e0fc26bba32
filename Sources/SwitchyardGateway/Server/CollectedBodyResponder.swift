import Hummingbird
import NIOCore

/// A responder that can take a request's body as the bytes the server already collected.
///
/// ``DirectHTTP1Handler`` reads every body before it answers, so a route that needs the whole
/// body can have it at once instead of collecting `request.body` again through its async
/// sequence, which costs several executor hops per request. `request.body` holds the same bytes
/// either way; a responder that does not care keeps the default, which ignores them.
public protocol CollectedBodyResponder: HTTPResponder {
    /// Answers `request`, whose whole body (up to the server's limit plus one byte, so an
    /// oversized body can be told) is `collectedBody`. `@concurrent`, like Hummingbird's
    /// `respond(to:context:)`, which the default calls.
    @concurrent func respond(to request: Request, collectedBody: ByteBuffer, context: Context) async throws -> Response
}

extension CollectedBodyResponder {
    @concurrent public func respond(to request: Request, collectedBody: ByteBuffer, context: Context) async throws -> Response {
        try await respond(to: request, context: context)
    }
}

extension RouterResponder: CollectedBodyResponder {}
