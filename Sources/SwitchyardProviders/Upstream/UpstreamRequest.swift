import NIOCore
import NIOHTTP1

/// One request to an upstream: a POST-style call with its body already in memory, because the
/// gateway reads and routes every body before forwarding it.
public struct UpstreamRequest: Sendable {
    public var method: HTTPMethod
    /// The whole request path, the endpoint's base path included (`/v1/chat/completions`).
    public var path: String
    /// Headers to send; `Host`, `Content-Length` and `Connection` are set by the pool.
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(method: HTTPMethod = .POST, path: String, headers: HTTPHeaders = [:], body: ByteBuffer) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// A complete (buffered) upstream response.
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
}

/// The start of a streamed upstream response; its body follows in ``body``.
public struct UpstreamStreamingResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    /// The body's bytes as they arrive. Reading applies backpressure to the connection; dropping
    /// the sequence before its end closes the connection.
    public var body: UpstreamBody
}
