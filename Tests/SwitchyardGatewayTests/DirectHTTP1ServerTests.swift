import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore
import SwitchyardTestSupport
import Synchronization
import Testing

@testable import SwitchyardGateway

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

@Suite("The direct HTTP/1 server")
struct DirectHTTP1ServerTests {
    /// Runs `router` on a ``DirectHTTP1Channel`` on a free loopback port for `body`.
    func withServer<T: Sendable>(
        _ router: Router<BasicRequestContext>, maxBodyBytes: Int = 1024, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            server: .directHTTP1(responder: router.buildResponder(), maxBodyBytes: maxBodyBytes, serverName: "test", logger: logger),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await whileServing(app, ports: ports, logger: logger, body)
    }

    /// `GET /slow` answers "slow" after 30 ms; `GET /fast` answers "fast" at once.
    static func slowAndFast() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .milliseconds(30))
            return "slow"
        }
        router.get("/fast") { _, _ -> String in "fast" }
        return router
    }

    /// Sends `requests` as raw bytes on one connection and reads `count` answers.
    func answers(from router: Router<BasicRequestContext>, maxBodyBytes: Int = 1024, to requests: String, count: Int) async throws -> [RawConnection.Answer] {
        try await withServer(router, maxBodyBytes: maxBodyBytes) { port in
            let connection = try RawConnection(port: port)
            connection.send(requests)
            return try await blocking { try connection.receiveResponses(count) }
        }
    }

    /// Sends `requests` as raw bytes on one connection and reads until the server closes it:
    /// whether it closed (within the wait) and what arrived.
    func untilClose(from router: Router<BasicRequestContext>, to requests: String) async throws -> (closed: Bool, text: String) {
        try await withServer(router) { port in
            let connection = try RawConnection(port: port)
            connection.send(requests)
            return await blocking { (connection.waitForClose(), connection.received) }
        }
    }

    /// A router whose `GET /stream` answers with a body of unknown length that `write` writes.
    func streamingRouter(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/stream") { _, _ -> Response in Response(status: .ok, body: ResponseBody(write)) }
        return router
    }

    @Test("handlers run on the connection's loop, before and after an await")
    func handlersRunOnTheLoop() async throws {
        let router = Router()
        router.get("/where") { _, _ -> String in
            let before = EventLoopBoundServerTests.place()
            try await Task.sleep(for: .milliseconds(2))
            let away = await awayFromEventLoop { EventLoopBoundServerTests.place() }
            return "\(before),\(away),\(EventLoopBoundServerTests.place())"
        }
        let answer = try await answers(from: router, to: "GET /where HTTP/1.1\r\nHost: test\r\n\r\n", count: 1)
        #expect(answer.first?.body == "loop,pool,loop")
        #expect(answer.first?.headers["server"] == "test")
        #expect(answer.first?.headers["date"]?.hasSuffix(" GMT") == true)
    }

    @Test("pipelined requests are answered in the order they came, on one connection")
    func pipelinedRequestsKeepTheirOrder() async throws {
        let router = Self.slowAndFast()
        let answered = try await answers(
            from: router, to: "GET /slow HTTP/1.1\r\nHost: test\r\n\r\nGET /fast HTTP/1.1\r\nHost: test\r\n\r\n", count: 2)
        #expect(answered.map(\.body) == ["slow", "fast"])
    }

    @Test("a connection answers request after request, each sent after the answer before; another closing while idle changes nothing")
    func requestAfterRequestOnOneConnection() async throws {
        let expected = (0..<20).map { $0.isMultiple(of: 3) ? "slow" : "fast" }
        let bodies = try await withServer(Self.slowAndFast()) { port in
            let connection = try RawConnection(port: port)
            var other: RawConnection? = try RawConnection(port: port)
            other?.send("GET /fast HTTP/1.1\r\nHost: test\r\n\r\n")
            _ = try await blocking { [other] in Result { try other?.receiveResponses(1) } }.get()
            var bodies: [String] = []
            for (index, path) in expected.enumerated() {
                // The other connection's serving task is waiting for a request when it closes.
                if index == 5 { other = nil }
                // Sent once the answer before is out: the serving task waits for each one.
                connection.send("GET /\(path) HTTP/1.1\r\nHost: test\r\n\r\n")
                let answers = try await blocking { Result { try connection.receiveResponses(index + 1) } }.get()
                bodies.append(answers.last?.body ?? "")
            }
            return bodies
        }
        #expect(bodies == expected)
    }

    @Test("Connection: close closes the connection once the answer is out")
    func connectionCloseIsHonoured() async throws {
        let router = Router()
        router.get("/") { _, _ -> String in "bye" }
        let (answer, closed) = try await withServer(router) { port in
            let connection = try RawConnection(port: port)
            connection.send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            return try await blocking { (try connection.receiveResponses(1), connection.waitForClose()) }
        }
        #expect(answer.first?.status == 200)
        #expect(answer.first?.body == "bye")
        #expect(closed)
    }

    @Test("a malformed request gets a 400 with an OpenAI-shaped error, and the connection closes")
    func malformedRequestIsA400() async throws {
        let router = Router()
        router.get("/") { _, _ -> String in "ok" }
        for (request, status, code) in [
            ("THIS IS NOT HTTP\r\n\r\n", 400, "invalid_method"),
            ("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: abc\r\n\r\n", 400, "invalid_content_length"),
            ("GET / HTTP/1.1\r\nHost: test\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n", 431, "request_head_too_large"),
        ] {
            let (closed, text) = try await untilClose(from: router, to: request)
            #expect(text.hasPrefix("HTTP/1.1 \(status) "), "\(text.prefix(200))")
            #expect(text.contains("content-type: application/json"))
            let body = try JSONParser.parse(String(text[try #require(text.range(of: "\r\n\r\n")).upperBound...]))
            #expect(body["error"]?["code"]?.stringValue == code, "\(text)")
            #expect(body["error"]?["type"]?.stringValue == "invalid_request_error")
            #expect(closed)
        }
    }

    @Test("bytes that follow a request and cannot be parsed are refused after its answer, not instead of it")
    func malformedAfterAValidRequest() async throws {
        // A POST without a length has no body: what follows is not a request.
        let (closed, text) = try await untilClose(
            from: Self.slowAndFast(), to: "GET /slow HTTP/1.1\r\nHost: test\r\n\r\n{\"model\":\"x\"}\r\n\r\n")
        #expect(text.hasPrefix("HTTP/1.1 200 OK"), "\(text)")
        #expect(text.contains("\r\n\r\nslowHTTP/1.1 400 "), "the answer, then the refusal: \(text)")
        #expect(closed)
    }

    @Test("HEAD is answered as GET, with its head alone, and the connection goes on")
    func headIsAGetWithoutBody() async throws {
        let (closed, text) = try await untilClose(
            from: Self.slowAndFast(),
            to: "HEAD /fast HTTP/1.1\r\nHost: test\r\n\r\nHEAD /missing HTTP/1.1\r\nHost: test\r\n\r\nGET /fast HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        let answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { "HTTP/1.1 " + $0 }
        #expect(answers.count == 3, "\(text)")
        #expect(answers.first?.hasPrefix("HTTP/1.1 200 OK\r\n") == true)
        #expect(answers.first?.lowercased().contains("content-length: 4\r\n") == true, "the length a GET's body has")
        #expect(answers.first?.hasSuffix("\r\n\r\n") == true, "no body: \(answers.first ?? "")")
        #expect(answers.dropFirst().first?.hasPrefix("HTTP/1.1 404") == true)
        #expect(answers.dropFirst().first?.hasSuffix("\r\n\r\n") == true, "no body for an error either")
        #expect(answers.last?.hasSuffix("\r\n\r\nfast") == true)
        #expect(closed)
    }

    @Test("a body without a declared length is kept to one byte past the limit, and the connection serves the next request")
    func oversizedBodyIsCut() async throws {
        let router = Router()
        router.post("/count") { request, _ -> String in
            let body = try await request.body.collect(upTo: .max)
            return "\(body.readableBytes)"
        }
        let big = String(repeating: "x", count: 5000)
        // Chunked: no declared length, so the handler finds out while reading.
        let answered = try await answers(
            from: router, maxBodyBytes: 10,
            to: "POST /count HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n\(big)\r\n0\r\n\r\n"
                + "POST /count HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nabcd",
            count: 2)
        #expect(answered.map(\.body) == ["11", "4"])
    }

    @Test("a body declared over the limit is answered from the head, and the connection goes on")
    func declaredOversizedBodyIsAnsweredAtOnce() async throws {
        let router = Router()
        router.post("/limited") { request, _ -> Response in
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > 10 { return Response(status: .contentTooLarge) }
            return Response(status: .ok)
        }
        router.get("/next") { _, _ -> String in "next" }
        let (early, next) = try await withServer(router, maxBodyBytes: 10) { port in
            let connection = try RawConnection(port: port)
            let declared = 1024 * 1024
            connection.send("POST /limited HTTP/1.1\r\nHost: test\r\nContent-Length: \(declared)\r\n\r\n0123456789")
            // The answer comes while almost all of the body is still unsent.
            let early = try await blocking { try connection.receiveResponses(1) }
            connection.send(String(repeating: "x", count: declared - 10))
            connection.send("GET /next HTTP/1.1\r\nHost: test\r\n\r\n")
            let next = try await blocking { try connection.receiveResponses(2) }
            return (early, next.last)
        }
        #expect(early.first?.status == 413)
        #expect(next?.body == "next")
    }

    @Test("a streamed body that fails part-way closes the connection without ending the chunks")
    func failedStreamClosesTheConnection() async throws {
        struct Broken: Error {}
        let router = streamingRouter { writer in
            try await writer.write(ByteBuffer(string: "partial"))
            throw Broken()
        }
        let (closed, text) = try await untilClose(from: router, to: "GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
        #expect(text.contains("partial"))
        #expect(!text.hasSuffix("0\r\n\r\n"))
        #expect(closed)
    }

    @Test("a stream to a client that stops reading waits for it instead of buffering the rest")
    func streamWaitsForASlowClient() async throws {
        let chunk = ByteBuffer(repeating: UInt8(ascii: "z"), count: 64 * 1024)
        let total = 1024  // 64 MiB, far more than the socket buffers hold
        let written = Mutex(0)
        let router = Router()
        router.get("/big") { _, _ -> Response in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<total {
                        try await writer.write(chunk)
                        written.withLock { $0 += 1 }
                    }
                    try await writer.finish(nil)
                })
        }
        let (whileStalled, bytes) = try await withServer(router) { port in
            let connection = try RawConnection(port: port)
            connection.send("GET /big HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            try await Task.sleep(for: .milliseconds(300))
            let whileStalled = written.withLock { $0 }
            return await blocking { _ = connection.waitForClose(timeoutSeconds: 30); return (whileStalled, connection.receivedBytes) }
        }
        #expect(whileStalled < total / 2, "the handler wrote \(whileStalled) of \(total) chunks to a client that read nothing")
        #expect(bytes > total * chunk.readableBytes)
    }

    @Test("a body of unknown length is sent chunked, each write a chunk")
    func streamIsChunked() async throws {
        let router = streamingRouter { writer in
            try await writer.write(ByteBuffer(string: "hello"))
            try await writer.write(ByteBuffer(string: ", world of streams"))
            try await writer.finish(nil)
        }
        let (closed, text) = try await untilClose(from: router, to: "GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        #expect(closed)
        #expect(text.lowercased().contains("transfer-encoding: chunked\r\n"))
        #expect(text.hasSuffix("\r\n\r\n5\r\nhello\r\n12\r\n, world of streams\r\n0\r\n\r\n"))
    }

    @Test("a stream's first bytes leave at once, even while the loop is still busy with the rest")
    func firstStreamedBytesLeaveAtOnce() async throws {
        // The route blocks its event loop after the first write until the client has read it, as
        // a relay does while it works through chunks that arrived together: bytes left for the
        // loop's flush batch would not leave until the wait timed out.
        let clientHasFirst = DispatchSemaphore(value: 0)
        let router = streamingRouter { writer in
            try await writer.write(ByteBuffer(string: "first"))
            let inTime = clientHasFirst.wait(timeout: .now() + 5) == .success
            try await writer.write(ByteBuffer(string: inTime ? "rest" : "late"))
            try await writer.finish(nil)
        }
        let text = try await withServer(router) { port in
            let connection = try RawConnection(port: port)
            connection.send("GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            return await blocking { () -> String in
                if connection.receive(until: "5\r\nfirst\r\n", timeoutSeconds: 10) { clientHasFirst.signal() }
                _ = connection.waitForClose()
                return connection.received
            }
        }
        #expect(text.hasSuffix("\r\n\r\n5\r\nfirst\r\n4\r\nrest\r\n0\r\n\r\n"))
    }

    @Test("answers flushed in a batch, beside others in flight, all arrive, and closing waits for them")
    func batchedAnswersArrive() async throws {
        // Twice as many slow requests as event loops keep answers in flight on every loop, so the
        // fast answers (and a half-closed client's) go through the loops' flush batches.
        let slowCount = 2 * ProcessInfo.processInfo.activeProcessorCount
        let results = try await withServer(Self.slowAndFast()) { port in
            let slow = try (0..<slowCount).map { _ in try RawConnection(port: port) }
            for connection in slow { connection.send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n") }
            let closing = try (0..<4).map { _ in try RawConnection(port: port) }
            for connection in closing { connection.send("GET /fast HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n") }
            let halfClosed = try RawConnection(port: port)
            halfClosed.send("GET /fast HTTP/1.1\r\nHost: test\r\n\r\nGET /fast HTTP/1.1\r\nHost: test\r\n\r\n")
            halfClosed.shutdownWrite()
            return try await blocking { () -> (slow: [String], closing: [(Bool, String)], halfClosed: (Bool, String)) in
                let slowBodies = try slow.map { try $0.receiveResponses(1)[0].body }
                let closed = closing.map { ($0.waitForClose(), $0.received) }
                return (slowBodies, closed, (halfClosed.waitForClose(), halfClosed.received))
            }
        }
        #expect(results.slow == Array(repeating: "slow", count: slowCount))
        for (closed, text) in results.closing {
            #expect(closed)
            #expect(text.hasSuffix("\r\n\r\nfast"))
        }
        #expect(results.halfClosed.0)
        #expect(results.halfClosed.1.components(separatedBy: "\r\n\r\nfast").count == 3)
    }

    @Test("chunks too large to copy leave as buffers of their own, framed the same")
    func largeChunksKeepTheirFraming() async throws {
        // 5,000 and 3,000 bytes: over the 2 KB up to which a chunk is copied between its lines.
        let first = String(repeating: "a", count: 5000)
        let last = String(repeating: "b", count: 3000)
        let router = streamingRouter { writer in
            try await writer.write(ByteBuffer(string: first))
            try await writer.write(ByteBuffer(string: "mid"))
            try await writer.write(ByteBuffer(string: last))
            try await writer.finish(nil)
        }
        let (closed, text) = try await untilClose(from: router, to: "GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        #expect(closed)
        #expect(text.lowercased().contains("transfer-encoding: chunked\r\n"))
        #expect(text.hasSuffix("\r\n\r\n1388\r\n\(first)\r\n3\r\nmid\r\nbb8\r\n\(last)\r\n0\r\n\r\n"))
    }

    @Test("a chunked body's trailers follow its last chunk")
    func trailers() async throws {
        let router = streamingRouter { writer in
            try await writer.write(ByteBuffer(string: "hello"))
            try await writer.finish([HTTPField.Name("x-checksum")!: "abc", HTTPField.Name("x-Count")!: "2"])
        }
        let (closed, text) = try await untilClose(from: router, to: "GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        #expect(closed)
        #expect(text.hasSuffix("\r\n\r\n5\r\nhello\r\n0\r\nx-checksum: abc\r\nx-Count: 2\r\n\r\n"))
    }

    @Test("HTTP/1.0: keep-alive only when asked, and a stream ends by closing")
    func http10() async throws {
        let router = streamingRouter { writer in
            try await writer.write(ByteBuffer(string: "streamed"))
            try await writer.finish(nil)
        }
        router.get("/") { _, _ -> String in "plain" }
        let (kept, closedText) = try await withServer(router) { port in
            let keepAlive = try RawConnection(port: port)
            keepAlive.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let kept = try await blocking { try keepAlive.receiveResponses(2) }
            let streamed = try RawConnection(port: port)
            streamed.send("GET /stream HTTP/1.0\r\n\r\n")
            let closedText = await blocking { _ = streamed.waitForClose(); return streamed.received }
            return (kept, closedText)
        }
        #expect(kept.map(\.body) == ["plain", "plain"])
        #expect(kept.first?.headers["connection"] == "keep-alive")
        #expect(!closedText.lowercased().contains("chunked"))
        #expect(closedText.lowercased().contains("connection: close"))
        #expect(closedText.hasSuffix("\r\n\r\nstreamed"))
    }

    @Test("requests sent before the client half-closes are all answered, then the connection closes")
    func halfCloseAnswersWhatCame() async throws {
        let router = Self.slowAndFast()
        let (answered, closed) = try await withServer(router) { port in
            let connection = try RawConnection(port: port)
            connection.send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\nGET /fast HTTP/1.1\r\nHost: test\r\n\r\n")
            connection.shutdownWrite()
            return try await blocking { (try connection.receiveResponses(2), connection.waitForClose()) }
        }
        #expect(answered.map(\.body) == ["slow", "fast"])
        #expect(closed)
    }

    @Test("a graceful shutdown finishes the answer in flight, closes idle connections, and stops")
    func gracefulShutdown() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let router = Self.slowAndFast()
        // The shutdown is triggered once this handler has started, and reaches the connection
        // while it is answered.
        let (entered, enteredSink) = AsyncStream.makeStream(of: Void.self)
        router.get("/slower") { _, _ -> String in
            enteredSink.yield()
            try await Task.sleep(for: .seconds(1))
            return "slower"
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            server: .directHTTP1(responder: router.buildResponder(), maxBodyBytes: 1024, serverName: "test", logger: logger),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [app], logger: logger)
        async let stopped: Void = group.run()
        let port = try await firstValue(ports)
        let idle = try RawConnection(port: port)
        idle.send("GET /fast HTTP/1.1\r\nHost: test\r\n\r\n")
        _ = try await blocking { try idle.receiveResponses(1) }
        let busy = try RawConnection(port: port)
        busy.send("GET /slower HTTP/1.1\r\nHost: test\r\n\r\n")
        _ = try await firstValue(entered)
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        let (answer, busyClosed, idleClosed) = try await blocking { (try busy.receiveResponses(1), busy.waitForClose(), idle.waitForClose()) }
        // Should a connection still be open, end it from this side: the server then stops and
        // the expectations below fail, rather than the test hanging.
        if !busyClosed { busy.shutdownWrite() }
        if !idleClosed { idle.shutdownWrite() }
        try await stopped
        // (Whether the answer says `connection: close` depends on whether the shutdown reached
        // the connection before the answer was written: on a busy machine it may not have.)
        #expect(answer.first?.body == "slower")
        #expect(busyClosed)
        #expect(idleClosed)
        // Seconds at most (a one-second answer and the closes); the bound leaves room for a busy machine.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("the Date header is an IMF-fixdate")
    func dateFormat() {
        #expect(HTTPDateCache.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateCache.format(1_795_489_591) == "Tue, 24 Nov 2026 03:06:31 GMT")
    }

    @Test("request ids are 32 hex digits and differ")
    func requestIDs() {
        let ids = (0..<1000).map { _ in RequestIdentifier.next() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })
    }
}

/// Runs blocking socket calls on a thread of their own: a test that blocked one of Swift's
/// few cooperative threads would stall every other test's tasks (on two cores, all of them).
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}

/// A blocking loopback client that sends and reads raw bytes, for what an HTTP client library
/// would hide: pipelining, malformed requests, when the server closes.
final class RawConnection: @unchecked Sendable {  // used by one thread at a time
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    private let socket: Int32
    private(set) var receivedBytes = 0
    private var buffer: [UInt8] = []
    var received: String { String(decoding: buffer, as: UTF8.self) }

    init(port: Int) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // No close here: the instance is whole, so `deinit` runs for it and closes the socket. A
        // second close could close a descriptor another thread has been given since.
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(socket) }

    func send(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            #if canImport(Glibc)
            let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            #else
            let sent = bytes.withUnsafeBytes { Darwin.send(socket, $0.baseAddress, $0.count, 0) }
            #endif
            guard sent > 0 else { return }
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Tells the server this client will send nothing more.
    func shutdownWrite() {
        _ = shutdown(socket, Int32(SHUT_WR))
    }

    /// Reads whatever arrives within `timeoutSeconds`; false if nothing more can come in time.
    @discardableResult
    private func readSome(timeoutSeconds: Int, keep: Bool = true) -> Int {
        var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeoutSeconds * 1000)) > 0 else { return -1 }
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            receivedBytes += count
            if keep { buffer.append(contentsOf: chunk[0..<count]) }
        }
        return count
    }

    /// Reads until what arrived contains `marker`; false if it has not within `timeoutSeconds`
    /// or the connection closed first.
    func receive(until marker: String, timeoutSeconds: Int) -> Bool {
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while !received.contains(marker) {
            guard Date() < deadline, readSome(timeoutSeconds: 1) != 0 else { return false }
        }
        return true
    }

    /// Waits until the server closes the connection (reading and counting what comes first).
    /// The default wait is long, for a machine busy with other tests; it is spent only when the
    /// connection stays open, which fails the test anyway.
    func waitForClose(timeoutSeconds: Int = 30) -> Bool {
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while Date() < deadline {
            let count = readSome(timeoutSeconds: 1, keep: buffer.count < 64 * 1024)
            if count == 0 { return true }
        }
        return false
    }

    /// Reads `count` complete responses with `Content-Length` bodies: `ECONNRESET` when the
    /// server closes the connection first, `ETIMEDOUT` when they take longer than 30 s.
    func receiveResponses(_ count: Int) throws -> [Answer] {
        var answers: [Answer] = []
        var offset = 0
        let deadline = Date().addingTimeInterval(30)
        while answers.count < count {
            if let (answer, end) = Self.parse(buffer, from: offset) {
                answers.append(answer)
                offset = end
                continue
            }
            guard Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
            guard readSome(timeoutSeconds: 1) != 0 else { throw POSIXError(.ECONNRESET) }
        }
        return answers
    }

    private static func parse(_ bytes: [UInt8], from start: Int) -> (Answer, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count - start >= 4,
            let headEnd = (start...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator })
        else { return nil }
        let lines = String(decoding: bytes[start..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return (Answer(status: status, headers: headers, body: String(decoding: bytes[bodyStart..<bodyStart + length], as: UTF8.self)), bodyStart + length)
    }
}
