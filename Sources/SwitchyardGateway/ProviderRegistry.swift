import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SwitchyardCore
import SwitchyardProviders

/// The adapters for every configured provider on the shared event loops. Chat calls go through
/// each provider's own ``UpstreamConnectionPool`` (pool size and timeouts are per provider); the
/// other calls (embeddings) through its own `HTTPClient`. A `Service`: on graceful shutdown it
/// closes both after the server has stopped taking requests.
public final class ProviderRegistry: Service, Sendable {
    private let adapters: [String: any ChatProvider]
    private let poolsByProvider: [(provider: String, pool: UpstreamConnectionPool)]
    private let clients: [HTTPClient]
    private let clientsByProvider: [String: HTTPClient]

    public init(configuration: GatewayConfiguration) {
        var adapters: [String: any ChatProvider] = [:]
        var poolsByProvider: [(provider: String, pool: UpstreamConnectionPool)] = []
        var clients: [HTTPClient] = []
        var clientsByProvider: [String: HTTPClient] = [:]
        for provider in configuration.providers {
            // The configuration reader accepts only base URLs this parses.
            guard let endpoint = UpstreamEndpoint(url: provider.baseURL) else { continue }
            var settings = HTTPClient.Configuration()
            let connectTimeout = TimeAmount(provider.connectTimeout)
            let readTimeout = TimeAmount(provider.timeout)
            settings.timeout = HTTPClient.Configuration.Timeout(connect: connectTimeout, read: readTimeout)
            settings.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: provider.maxConnections)
            // A refused or failed connection must surface at once: the chain executor retries
            // with backoff and falls back itself. (The client's default keeps re-connecting until
            // the request's deadline, which would spend the whole deadline on a dead provider.)
            settings.connectionPool.retryConnectionEstablishment = false
            settings.redirectConfiguration = .disallow
            settings.decompression = .disabled
            // No tracer is bootstrapped: skip the client's per-request no-op span.
            settings.tracing.tracer = nil
            if provider.caFile != nil {
                settings.tlsConfiguration = UpstreamConnectionPool.clientTLSConfiguration(caFile: provider.caFile)
            }
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: settings)
            clients.append(client)
            clientsByProvider[provider.name] = client
            let pool = UpstreamConnectionPool(
                configuration: .init(endpoint: endpoint, maxConnections: provider.maxConnections, connectTimeout: connectTimeout, caFile: provider.caFile),
                group: MultiThreadedEventLoopGroup.singleton)
            poolsByProvider.append((provider.name, pool))
            switch provider.kind {
            case .openai: adapters[provider.name] = OpenAICompatibleProvider(settings: provider, pool: pool)
            case .anthropic: adapters[provider.name] = AnthropicProvider(settings: provider, pool: pool)
            }
        }
        self.adapters = adapters
        self.poolsByProvider = poolsByProvider
        self.clients = clients
        self.clientsByProvider = clientsByProvider
    }

    /// The pooled HTTP client of the provider named `name` (for calls other than chat, such as
    /// embeddings).
    func client(forProvider name: String) -> HTTPClient? {
        clientsByProvider[name]
    }

    /// Each provider's chat connections now: open (busy or idle) and idle.
    public func connectionCounts() -> [(provider: String, open: Int, idle: Int)] {
        poolsByProvider.map { ($0.provider, $0.pool.openConnections, $0.pool.idleConnections) }
    }

    /// The adapter for the provider named `name`.
    public func adapter(named name: String) -> (any ChatProvider)? {
        adapters[name]
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Closes every pool (chat calls in flight finish first) and client (its calls in flight fail).
    public func shutdown() async throws {
        for (_, pool) in poolsByProvider {
            pool.shutdown()
        }
        for client in clients {
            try await client.shutdown()
        }
    }
}
