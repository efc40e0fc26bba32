import NIOCore
import SwitchyardCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A pool of keep-alive HTTP/1.1 connections to one upstream endpoint, written on SwiftNIO's
/// own channel handlers for the gateway's one job: send a body that is already in memory and
/// read the answer whole or as a stream.
///
/// Per exchange it costs one write of head and body together, one timer, and no URL parsing,
/// redirect or decompression machinery. Connections are opened on demand up to
/// ``Configuration/maxConnections``; callers beyond that wait (bounded by their deadline) for
/// one to come back. Idle connections are reused newest first and dropped, without a timer, once
/// they have been idle longer than ``Configuration/idleTimeout``.
public final class UpstreamConnectionPool: Sendable {
    /// How the pool connects and how many connections it keeps.
    public struct Configuration: Sendable {
        public var endpoint: UpstreamEndpoint
        /// Connections open at once, busy or idle.
        public var maxConnections: Int
        /// Time allowed to open the TCP connection; a TLS handshake then counts against the
        /// call's deadline.
        public var connectTimeout: TimeAmount
        /// An idle connection older than this is closed instead of reused.
        public var idleTimeout: TimeAmount
        /// A PEM file of the certificate authorities to trust instead of the system's (TLS only).
        public var caFile: String?

        public init(
            endpoint: UpstreamEndpoint, maxConnections: Int = 256, connectTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(60),
            caFile: String? = nil
        ) {
            self.endpoint = endpoint
            self.maxConnections = max(1, maxConnections)
            self.connectTimeout = connectTimeout
            self.idleTimeout = idleTimeout
            self.caFile = caFile
        }
    }

    /// What a caller may do once the pool answers: use this connection, or open a new one.
    private enum Lease {
        case connection(UpstreamConnection)
        case connect
    }

    private enum Decision {
        case lease(Lease)
        case wait
        case fail(UpstreamError)
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Lease, any Error>
    }

    private struct State {
        var idle: [UpstreamConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var isShutDown = false
    }

    public let configuration: Configuration
    private let group: any EventLoopGroup
    /// The group's loops: a caller on one of them gets connections on it (see ``callersLoop``).
    private let loops: Set<ObjectIdentifier>
    private let tlsContext: Result<NIOSSLContext, UpstreamError>?
    private let state = Mutex(State())

    /// - Parameters:
    ///   - configuration: Where to connect and how many connections to keep.
    ///   - group: The event loops connections run on.
    public init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
        self.loops = Set(group.makeIterator().map { ObjectIdentifier($0) })
        if configuration.endpoint.usesTLS {
            do {
                tlsContext = .success(try NIOSSLContext(configuration: Self.clientTLSConfiguration(caFile: configuration.caFile)))
            } catch {
                let source = configuration.caFile.map { "the certificates in \"\($0)\"" } ?? "the system's certificates"
                tlsContext = .failure(.connectFailed("TLS cannot be set up with \(source): \(UpstreamError.brief(error))"))
            }
        } else {
            tlsContext = nil
        }
    }

    /// The TLS settings for calls to a provider: the system's roots, or only the authorities in
    /// `caFile` (a provider's `ca_file`). Other clients of the same provider use them too.
    public static func clientTLSConfiguration(caFile: String?) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .file(caFile) }
        return tls
    }

    /// Connections open now, busy or idle (for tests and metrics).
    public var openConnections: Int { state.withLock { $0.open } }
    /// Connections open and idle now.
    public var idleConnections: Int { state.withLock { $0.idle.count } }
    /// The loops of the idle connections, oldest first (for tests).
    var idleConnectionLoops: [ObjectIdentifier] { state.withLock { $0.idle.map { ObjectIdentifier($0.eventLoop) } } }

    // MARK: Exchanges

    /// Sends `request` and returns the whole response.
    ///
    /// - Parameters:
    ///   - deadline: The response must have started by then (the wait for a connection counts).
    ///   - readTimeout: Longest silence allowed while waiting for and reading the response.
    ///   - maxBodyBytes: A larger body fails with ``UpstreamError/bodyTooLarge(limit:)``.
    public func execute(_ request: UpstreamRequest, deadline: NIODeadline, readTimeout: TimeAmount, maxBodyBytes: Int) async throws(UpstreamError) -> UpstreamResponse {
        let connection = try await lease(deadline: deadline)
        let promise = connection.eventLoop.makePromise(of: UpstreamResponse.self)
        return try await run(request, on: connection, mode: .buffered(promise, limit: maxBodyBytes), future: promise.futureResult, deadline: deadline, readTimeout: readTimeout)
    }

    /// Sends `request` and returns once the response head has arrived; the body follows as a
    /// sequence, and the connection returns to the pool when the body has been read to its end.
    public func stream(_ request: UpstreamRequest, deadline: NIODeadline, readTimeout: TimeAmount) async throws(UpstreamError) -> UpstreamStreamingResponse {
        let connection = try await lease(deadline: deadline)
        let promise = connection.eventLoop.makePromise(of: UpstreamStreamingResponse.self)
        return try await run(request, on: connection, mode: .streaming(promise), future: promise.futureResult, deadline: deadline, readTimeout: readTimeout)
    }

    private func run<Value: Sendable>(
        _ request: UpstreamRequest, on connection: UpstreamConnection, mode: UpstreamConnection.Mode, future: EventLoopFuture<Value>,
        deadline: NIODeadline, readTimeout: TimeAmount
    ) async throws(UpstreamError) -> Value {
        let identity = ObjectIdentifier(future)
        do {
            return try await withTaskCancellationHandler {
                connection.start(request, mode: mode, deadline: deadline, readTimeout: readTimeout)
                return try await future.get()
            } onCancel: {
                connection.cancel(identity)
            }
        } catch let error as UpstreamError {
            throw error
        } catch {
            throw .connectFailed("\(error)")
        }
    }

    // MARK: Leasing

    /// The event loop of the group the caller runs on, if any: the gateway's request tasks run on
    /// their connection's loop, and an upstream connection on the same loop spares every
    /// exchange two hand-overs between threads (there and back).
    private var callersLoop: (any EventLoop)? {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop, loops.contains(ObjectIdentifier(loop)) else { return nil }
        return loop
    }

    private func lease(deadline: NIODeadline) async throws(UpstreamError) -> UpstreamConnection {
        if Task.isCancelled { throw .cancelled }
        let preferred = callersLoop
        let lease: Lease
        switch decideNow(preferring: preferred) {
        case .lease(let granted): lease = granted
        case .fail(let error): throw error
        case .wait: lease = try await waitForConnection(deadline: deadline)
        }
        switch lease {
        case .connection(let connection):
            return connection
        case .connect:
            do {
                return try await connect(deadline: deadline, on: preferred)
            } catch {
                release(nil, reusable: false)
                throw error
            }
        }
    }

    /// What a caller may do now: use a live idle connection (with `preferred`, the newest on
    /// that loop, or else a new one there while the limit allows; otherwise the newest), open
    /// one, or wait (then `waiter`, if given, is queued under the same lock). Idle connections
    /// found dead or too old on the way are closed.
    private func decideNow(preferring preferred: (any EventLoop)? = nil, queueing waiter: Waiter? = nil) -> Decision {
        var discarded: [UpstreamConnection] = []
        let decision = state.withLock { state in
            if let preferred, !state.isShutDown,
                !Self.moveNewestIdle(on: preferred, toEndOf: &state.idle, youngerThan: configuration.idleTimeout),
                state.open < configuration.maxConnections
            {
                // None idle on the caller's loop: open one there rather than borrow another
                // loop's (at most one more per loop than the load needs).
                state.open += 1
                return Decision.lease(.connect)
            }
            let decision = decide(&state, discarding: &discarded)
            if case .wait = decision, let waiter { state.waiters.append(waiter) }
            return decision
        }
        for connection in discarded { connection.channel.close(promise: nil) }
        return decision
    }

    /// How far from the newest end the idle list is searched for a connection on the caller's
    /// loop: with a few loops, one is nearly always among the newest.
    static let affinitySearchDepth = 16

    /// Moves the newest idle connection on `loop` among the newest ``affinitySearchDepth`` to
    /// the end of `idle`, where ``decide(_:discarding:)`` takes it from at once; one idle for
    /// `timeout` or longer stays where it is, so the list is still ordered by age for every
    /// connection but the one taken. Returns whether the end of `idle` now is on `loop`.
    static func moveNewestIdle(on loop: any EventLoop, toEndOf idle: inout [UpstreamConnection], youngerThan timeout: TimeAmount) -> Bool {
        guard let last = idle.last else { return false }
        if last.eventLoop === loop { return true }
        let lowest = max(0, idle.count - affinitySearchDepth)
        guard let index = idle[lowest...].lastIndex(where: { $0.eventLoop === loop }), NIODeadline.now() - idle[index].idleSince < timeout else {
            return false
        }
        let connection = idle.remove(at: index)
        idle.append(connection)
        return true
    }

    /// Under the lock: the newest live idle connection, or a slot to open one, or a wait.
    private func decide(_ state: inout State, discarding discarded: inout [UpstreamConnection]) -> Decision {
        if state.isShutDown { return .fail(.shutDown) }
        let now = NIODeadline.now()
        while let connection = state.idle.popLast() {
            if now - connection.idleSince >= configuration.idleTimeout {
                // The newest is too old, so all of them are.
                discarded.append(connection)
                discarded.append(contentsOf: state.idle)
                state.open -= state.idle.count + 1
                state.idle.removeAll()
                break
            }
            guard connection.channel.isActive else {
                state.open -= 1
                discarded.append(connection)
                continue
            }
            if let oldest = state.idle.first, now - oldest.idleSince >= configuration.idleTimeout {
                state.idle.removeFirst()
                state.open -= 1
                discarded.append(oldest)
            }
            return .lease(.connection(connection))
        }
        if state.open < configuration.maxConnections {
            state.open += 1
            return .lease(.connect)
        }
        return .wait
    }

    private func waitForConnection(deadline: NIODeadline) async throws(UpstreamError) -> Lease {
        let id = state.withLock { state in
            state.nextWaiterID &+= 1
            return state.nextWaiterID
        }
        let timer = group.any().scheduleTask(deadline: deadline) { [self] in
            abandonWait(id, error: .deadlineExceeded)
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                    switch decideNow(queueing: Waiter(id: id, continuation: continuation)) {
                    case .lease(let lease): continuation.resume(returning: lease)
                    case .fail(let error): continuation.resume(throwing: error)
                    case .wait: break
                    }
                }
            } onCancel: { [self] in
                abandonWait(id, error: .cancelled)
            }
        } catch let error as UpstreamError {
            throw error
        } catch {
            throw .cancelled
        }
    }

    private func abandonWait(_ id: UInt64, error: UpstreamError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func connect(deadline: NIODeadline, on eventLoop: (any EventLoop)?) async throws(UpstreamError) -> UpstreamConnection {
        do {
            return try await connect(deadline: deadline, on: eventLoop).get()
        } catch let error as UpstreamError {
            throw error
        } catch {
            throw .connectFailed(UpstreamError.brief(error))
        }
    }

    /// Opens a connection on `eventLoop` (any of the group's when `nil`).
    func connect(deadline: NIODeadline, on eventLoop: (any EventLoop)?) -> EventLoopFuture<UpstreamConnection> {
        let loop = eventLoop ?? group.next()
        let tls: NIOSSLContext?
        switch tlsContext {
        case .none: tls = nil
        case .success(let context): tls = context
        case .failure(let error): return loop.makeFailedFuture(error)
        }
        let remaining = deadline - .now()
        guard remaining > .zero else { return loop.makeFailedFuture(UpstreamError.deadlineExceeded) }
        let endpoint = configuration.endpoint
        // The handler as created, not looked up in the pipeline afterwards: a TLS handshake that
        // fails at once can tear the pipeline down first, and the connection then reports why
        // when it is used.
        let created = NIOLoopBoundBox.makeEmptyBox(valueType: UpstreamConnection.self, eventLoop: loop)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(min(configuration.connectTimeout, remaining))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let serverName = endpoint.hostIsAddress ? nil : endpoint.host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    // The connection renders requests itself (one buffer each); SwiftNIO's decoder
                    // parses the responses.
                    let writer = UpstreamRequestBytesWriter()
                    try channel.pipeline.syncOperations.addHandler(writer)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    let connection = UpstreamConnection(channel: channel, pool: self, hostHeader: endpoint.hostHeader, writer: writer)
                    try channel.pipeline.syncOperations.addHandler(connection)
                    created.value = connection
                }
            }
        return connect(bootstrap, to: endpoint)
            .flatMapThrowing { _ in
                guard let connection = created.value else { throw ChannelPipelineError.notFound }
                return connection
            }
            .flatMapErrorThrowing { error in
                if let error = error as? UpstreamError { throw error }
                if case .connectTimeout = error as? ChannelError { throw UpstreamError.connectTimeout }
                throw UpstreamError.connectFailed(UpstreamError.brief(error))
            }
    }

    /// Connects `bootstrap` to `endpoint`. An address is used as it is: SwiftNIO's resolver
    /// would ask `getaddrinfo` on a Dispatch thread, a hop there and back for every new
    /// connection, even to `127.0.0.1`.
    private func connect(_ bootstrap: ClientBootstrap, to endpoint: UpstreamEndpoint) -> EventLoopFuture<any Channel> {
        let host = endpoint.host.hasPrefix("[") ? String(endpoint.host.dropFirst().dropLast()) : endpoint.host
        if endpoint.hostIsAddress, let address = try? SocketAddress(ipAddress: host, port: endpoint.port) {
            return bootstrap.connect(to: address)
        }
        return bootstrap.connect(host: endpoint.host, port: endpoint.port)
    }

    // MARK: Returning connections

    /// Called by a connection (on its event loop) when its exchange has ended; `nil` when a
    /// connection could not be opened at all.
    func release(_ connection: UpstreamConnection?, reusable: Bool) {
        var closeIt = false
        let handOff = state.withLock { state -> (Waiter, Lease)? in
            if let connection, reusable, !state.isShutDown {
                if !state.waiters.isEmpty { return (state.waiters.removeFirst(), .connection(connection)) }
                connection.idleSince = .now()
                state.idle.append(connection)
                return nil
            }
            closeIt = reusable
            state.open -= 1
            if !state.isShutDown, !state.waiters.isEmpty, state.open < configuration.maxConnections {
                state.open += 1
                return (state.waiters.removeFirst(), .connect)
            }
            return nil
        }
        if closeIt { connection?.channel.close(promise: nil) }
        if let (waiter, lease) = handOff { waiter.continuation.resume(returning: lease) }
    }

    /// Called by a connection whose channel closed while no exchange was running.
    func closedWhileIdle(_ connection: UpstreamConnection) {
        state.withLock { state in
            guard let index = state.idle.firstIndex(where: { $0 === connection }) else { return }
            state.idle.remove(at: index)
            state.open -= 1
        }
    }

    /// Closes the idle connections and fails the waiting callers; busy connections close when
    /// their exchange ends. Later calls fail with ``UpstreamError/shutDown``.
    public func shutdown() {
        let (idle, waiters) = state.withLock { state in
            state.isShutDown = true
            let taken = (state.idle, state.waiters)
            state.open -= state.idle.count
            state.idle.removeAll()
            state.waiters.removeAll()
            return taken
        }
        for connection in idle { connection.channel.close(promise: nil) }
        for waiter in waiters { waiter.continuation.resume(throwing: UpstreamError.shutDown) }
    }
}

// MARK: - Callers on an event loop

extension UpstreamConnectionPool {
    /// ``execute(_:deadline:readTimeout:maxBodyBytes:)`` for callers that live on an event loop
    /// (a SwiftNIO channel handler): no task is created and, while a connection is free or can be
    /// opened, nothing leaves the event loops. A new connection is opened on `eventLoop`, so a
    /// caller's exchanges tend to stay on its own thread. Only a caller that must wait for a
    /// connection (the pool is at ``Configuration/maxConnections``) goes through a task.
    public func execute(
        _ request: UpstreamRequest, deadline: NIODeadline, readTimeout: TimeAmount, maxBodyBytes: Int, on eventLoop: any EventLoop
    ) -> EventLoopFuture<UpstreamResponse> {
        let promise = eventLoop.makePromise(of: UpstreamResponse.self)
        let mode = UpstreamConnection.Mode.buffered(promise, limit: maxBodyBytes)
        switch decideNow(preferring: eventLoop) {
        case .fail(let error):
            promise.fail(error)
        case .lease(.connection(let connection)):
            connection.start(request, mode: mode, deadline: deadline, readTimeout: readTimeout)
        case .lease(.connect):
            connect(deadline: deadline, on: eventLoop).whenComplete { result in
                switch result {
                case .success(let connection):
                    connection.start(request, mode: mode, deadline: deadline, readTimeout: readTimeout)
                case .failure(let error):
                    self.release(nil, reusable: false)
                    promise.fail(error)
                }
            }
        case .wait:
            promise.completeWithTask {
                try await self.execute(request, deadline: deadline, readTimeout: readTimeout, maxBodyBytes: maxBodyBytes)
            }
        }
        return promise.futureResult
    }
}
