import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SwitchyardCore
import SwitchyardGateway
import SwitchyardProviders

/// `switchyard passthrough`: the gateway's server and upstream pool with nothing in between, so
/// the benchmark can tell the frameworks' cost per request from the gateway's own work.
struct PassthroughCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passthrough",
        abstract: "Forward chat completions to one upstream with no routing, checks or accounting (the benchmark's floor).",
        discussion: """
            The same server and upstream connection pool the gateway uses, and nothing else: every \
            POST /v1/chat/completions goes to --upstream as it came, and the answer (or stream) comes back as it came. \
            scripts/bench/run.sh measures it as the "floor" target: what any gateway built on these frameworks costs per \
            request on this machine before it does any work. Not a gateway: no keys, no models, no ledger.
            """,
        shouldDisplay: false
    )

    @Option(help: "The upstream's API base URL, e.g. http://127.0.0.1:9090/v1.")
    var upstream: String

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port).")
    var port = 0

    @Option(
        help: """
            hummingbird (the gateway's server: Hummingbird's router behind a SwiftNIO channel handler), hummingbird-async \
            (Hummingbird's own HTTP/1 channel, through NIOAsyncChannel) or nio (one SwiftNIO channel handler, no tasks; \
            plain answers only).
            """)
    var server = "hummingbird"

    func run() async throws {
        EventLoopSizing.apply()
        guard let endpoint = UpstreamEndpoint(url: upstream) else {
            throw ValidationError("--upstream must be an http:// or https:// URL with a host, got '\(upstream)'")
        }
        let pool = UpstreamConnectionPool(configuration: .init(endpoint: endpoint, maxConnections: 1024))
        let path = endpoint.basePath + "/chat/completions"
        switch server {
        case "hummingbird": try await runHummingbird(pool: pool, path: path, direct: true)
        case "hummingbird-async": try await runHummingbird(pool: pool, path: path, direct: false)
        case "nio": try await runNIO(pool: pool, path: path)
        default: throw ValidationError("--server must be hummingbird, hummingbird-async or nio, got '\(server)'")
        }
    }

    private func runNIO(pool: UpstreamConnectionPool, path: String) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(PassthroughChannelHandler(pool: pool, path: path))
                }
            }
            .bind(host: host, port: port).get()
        printNow("switchyard passthrough (nio) listening on http://\(host):\(channel.localAddress?.port ?? 0)/v1")
        try await channel.closeFuture.get()
    }

    static let maxBodyBytes = 8 * 1024 * 1024

    private func runHummingbird(pool: UpstreamConnectionPool, path: String, direct: Bool) async throws {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: Self.maxBodyBytes)
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            let upstreamRequest = UpstreamRequest(path: path, headers: headers, body: body)
            let deadline = NIODeadline.now() + .seconds(60)
            if Self.asksForStream(body) {
                let response = try await pool.stream(upstreamRequest, deadline: deadline, readTimeout: .seconds(60))
                return Response(
                    status: .init(code: Int(response.status.code)), headers: [.contentType: "text/event-stream"],
                    body: ResponseBody(asyncSequence: response.body))
            }
            let response = try await pool.execute(upstreamRequest, deadline: deadline, readTimeout: .seconds(60), maxBodyBytes: 64 * 1024 * 1024)
            return Response(
                status: .init(code: Int(response.status.code)), headers: [.contentType: response.headers.first(name: "content-type") ?? "application/json"],
                body: ResponseBody(byteBuffer: response.body))
        }
        let host = host
        let app = Application(
            router: router,
            server: direct
                ? .directHTTP1(
                    responder: router.buildResponder(), maxBodyBytes: Self.maxBodyBytes, serverName: "switchyard-passthrough",
                    logger: Logger(label: "switchyard-passthrough"))
                : .http1OnEventLoop(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "switchyard-passthrough"),
            onServerRunning: { channel in printNow("switchyard passthrough listening on http://\(host):\(channel.localAddress?.port ?? 0)/v1") })
        try await app.runService()
    }

    /// Whether the body asks for a stream. The benchmark's bodies say `"stream":true` exactly so,
    /// and no JSON is parsed here: one pass over the bytes finds it.
    private static func asksForStream(_ body: ByteBuffer) -> Bool {
        body.withUnsafeReadableBytes { bytes in
            let needle: StaticString = #""stream":true"#
            let count = needle.utf8CodeUnitCount
            guard bytes.count >= count else { return false }
            let pattern = UnsafeRawBufferPointer(start: needle.utf8Start, count: count)
            for start in 0...(bytes.count - count) where bytes[start] == 0x22 {
                if memcmp(bytes.baseAddress! + start, pattern.baseAddress!, count) == 0 { return true }
            }
            return false
        }
    }
}
