import NIOCore
import NIOHTTP1
import SwitchyardProviders

/// The `passthrough --server nio` floor: an HTTP/1 server written as one SwiftNIO channel
/// handler that forwards each request through the upstream pool's event-loop API, so no Swift
/// task or executor hop is involved. Plain (non-streamed) answers only.
final class PassthroughChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let pool: UpstreamConnectionPool
    private let path: String
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(pool: UpstreamConnectionPool, path: String) {
        self.pool = pool
        self.path = path
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
        case .body(var chunk):
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let requestHead = head else { return }
            let keepAlive = requestHead.isKeepAlive
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            let request = UpstreamRequest(path: path, headers: headers, body: body ?? ByteBuffer())
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            pool.execute(request, deadline: .now() + .seconds(60), readTimeout: .seconds(60), maxBodyBytes: 64 * 1024 * 1024, on: context.eventLoop)
                .hop(to: context.eventLoop)
                .whenComplete { result in
                    let context = loopBound.value
                    var responseHead: HTTPResponseHead
                    let responseBody: ByteBuffer
                    switch result {
                    case .success(let response):
                        responseHead = HTTPResponseHead(version: .http1_1, status: response.status)
                        responseHead.headers.add(name: "content-type", value: response.headers.first(name: "content-type") ?? "application/json")
                        responseBody = response.body
                    case .failure(let error):
                        responseHead = HTTPResponseHead(version: .http1_1, status: .badGateway)
                        responseHead.headers.add(name: "content-type", value: "text/plain")
                        responseBody = ByteBuffer(string: "\(error)")
                    }
                    responseHead.headers.add(name: "content-length", value: String(responseBody.readableBytes))
                    if !keepAlive { responseHead.headers.add(name: "connection", value: "close") }
                    // NIOAny directly rather than `wrapOutboundOut`: the closure must not capture
                    // the handler, which is not Sendable.
                    context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
                    context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(responseBody))), promise: nil)
                    let written = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
                    if !keepAlive { written.whenComplete { _ in loopBound.value.close(promise: nil) } }
                }
        }
    }
}
