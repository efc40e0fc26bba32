/// Everything `switchyard.yaml` configures, as plain values.
///
/// Reading and validating the file lives in `SwitchyardConfig`; these types only hold the result,
/// so Core logic and tests can build configurations directly.
public struct GatewayConfiguration: Sendable, Hashable {
    public var server: ServerSettings
    public var providers: [ProviderSettings]
    public var models: [ModelDeployment]
    /// Tier names from cheapest to most capable.
    public var tiers: [String]
    /// Task taxonomy, classifier rules and routing policy (`tasks`, `sensitivity`, `heuristics`,
    /// `policy`); the built-in defaults for `tiers` when the file has none.
    public var routing: RoutingConfiguration
    /// Retries, circuit breakers and provider-limit waits (`resilience`).
    public var resilience: ResilienceSettings
    /// The database (`storage`).
    public var storage: StorageSettings
    /// The request ledger (`ledger`).
    public var ledger: LedgerSettings
    /// Metrics (`telemetry`).
    public var telemetry: TelemetrySettings
    /// Keys, tenants and budgets (`auth`, `budgets`, `tenants`, `keys`).
    public var tenancy: TenancySettings
    /// The local embedding model (`embeddings`).
    public var embeddings: EmbeddingsSettings

    public init(
        server: ServerSettings = ServerSettings(), providers: [ProviderSettings], models: [ModelDeployment], tiers: [String],
        routing: RoutingConfiguration? = nil, resilience: ResilienceSettings = ResilienceSettings(), storage: StorageSettings = .default,
        ledger: LedgerSettings = LedgerSettings(), telemetry: TelemetrySettings = TelemetrySettings(), tenancy: TenancySettings = TenancySettings(),
        embeddings: EmbeddingsSettings = EmbeddingsSettings()
    ) {
        self.server = server
        self.providers = providers
        self.models = models
        self.tiers = tiers
        self.routing = routing ?? .defaults(tiers: tiers)
        self.resilience = resilience
        self.storage = storage
        self.ledger = ledger
        self.telemetry = telemetry
        self.tenancy = tenancy
        self.embeddings = embeddings
    }

    /// The provider named `name`.
    public func provider(named name: String) -> ProviderSettings? {
        providers.first { $0.name == name }
    }

    /// The model whose public name is `name`.
    public func model(named name: String) -> ModelDeployment? {
        models.first { $0.name == name }
    }

    /// Position of `tier` in the ordered tier list (0 = cheapest).
    public func rank(ofTier tier: String) -> Int? {
        tiers.firstIndex(of: tier)
    }

    /// The most capable tier, whose prices define the baseline cost.
    public var premiumTier: String? { tiers.last }
}

/// Settings of the gateway's own HTTP server.
public struct ServerSettings: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// Largest request body accepted; larger bodies get 413.
    public var maxBodyBytes: Int
    /// Upper bound on one request's total time inside the gateway.
    public var requestTimeout: Duration
    /// Bearer token for `/admin/*`; without one the admin API is disabled.
    public var adminKey: String?
    /// Event-loop threads serving connections; `nil` means one per CPU the process may run on.
    public var eventLoops: Int?
    /// The longest wake-up latency, in microseconds, that idle CPUs may have while the gateway
    /// runs (a Linux PM QoS request); `0` keeps them polling instead of sleeping. `nil` leaves the
    /// machine's idle policy alone.
    public var cpuLatencyLimitMicroseconds: Int?
    /// The largest limit Linux takes (its default, 2,000 s: no limit).
    public static let maximumCPULatencyLimitMicroseconds = 2_000_000_000

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 16 * 1024 * 1024, requestTimeout: Duration = .seconds(600),
        adminKey: String? = nil, eventLoops: Int? = nil, cpuLatencyLimitMicroseconds: Int? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeout = requestTimeout
        self.adminKey = adminKey
        self.eventLoops = eventLoops
        self.cpuLatencyLimitMicroseconds = cpuLatencyLimitMicroseconds
    }
}

/// The wire format a provider speaks.
public enum ProviderKind: String, Sendable, Hashable, CaseIterable {
    /// OpenAI's chat-completions API, also spoken by Groq, DeepSeek, Mistral, Together, vLLM,
    /// Ollama (`/v1`), LM Studio and `switchyard mock-provider`.
    case openai
    /// Anthropic's Messages API (`/messages` under `base_url`, key in `x-api-key`); requests and
    /// answers are translated, so deployments of both kinds share one chain.
    case anthropic
}

/// One upstream provider endpoint.
public struct ProviderSettings: Sendable, Hashable {
    public var name: String
    public var kind: ProviderKind
    /// Base URL up to and including the API version, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    /// Bearer token sent upstream; `nil` for providers that need none (local servers).
    public var apiKey: String?
    /// Where the provider processes data, e.g. `eu` or `us`.
    public var region: String?
    /// Time allowed for one upstream call, from sending the request to the last byte.
    public var timeout: Duration
    /// Time allowed to open a connection.
    public var connectTimeout: Duration
    /// Upper bound on pooled HTTP/1 connections to this provider.
    public var maxConnections: Int
    /// Client request headers copied to this provider (lower-case names; a trailing `*` matches a prefix).
    public var forwardHeaders: [String]
    /// Extra headers sent with every request to this provider.
    public var headers: [String: String]
    /// A PEM file of certificate authorities trusted for this provider's TLS certificate,
    /// instead of the system's; `nil` uses the system's.
    public var caFile: String?

    public init(
        name: String, kind: ProviderKind = .openai, baseURL: String, apiKey: String? = nil, region: String? = nil,
        timeout: Duration = .seconds(120), connectTimeout: Duration = .seconds(5), maxConnections: Int = 256,
        forwardHeaders: [String] = [], headers: [String: String] = [:], caFile: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.region = region
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxConnections = maxConnections
        self.forwardHeaders = forwardHeaders
        self.headers = headers
        self.caFile = caFile
    }

    /// Whether a client header called `name` is copied to this provider.
    public func forwards(header name: String) -> Bool {
        let lowered = name.lowercased()
        return forwardHeaders.contains { pattern in
            pattern.hasSuffix("*") ? lowered.hasPrefix(pattern.dropLast()) : lowered == pattern
        }
    }
}

/// What a model can do beyond plain chat.
public enum ModelCapability: String, Sendable, Hashable, CaseIterable {
    case logprobs
    case json
    case tools
    case vision
    case streaming
}

/// A model the gateway offers: its public name and the deployment that serves it.
///
/// A value with shared storage: routing copies deployments into every chain, attempt and
/// decision, and a copy is one reference instead of one per name, set and list it holds. A
/// change copies the storage first if another value shares it.
public struct ModelDeployment: Sendable, Hashable {
    /// The name clients use in `model`.
    public var name: String {
        @inlinable get { storage.box.members.name }
        set { storage.update { $0.name = newValue } }
    }
    /// The provider that serves it.
    public var provider: String {
        @inlinable get { storage.box.members.provider }
        set { storage.update { $0.provider = newValue } }
    }
    /// The model id sent to the provider.
    public var upstreamModel: String {
        @inlinable get { storage.box.members.upstreamModel }
        set { storage.update { $0.upstreamModel = newValue } }
    }
    public var tier: String {
        @inlinable get { storage.box.members.tier }
        set { storage.update { $0.tier = newValue } }
    }
    public var price: ModelPrice {
        @inlinable get { storage.box.members.price }
        set { storage.update { $0.price = newValue } }
    }
    /// Largest prompt plus output, in tokens.
    public var contextWindow: Int {
        @inlinable get { storage.box.members.contextWindow }
        set { storage.update { $0.contextWindow = newValue } }
    }
    /// Largest output the model produces, in tokens.
    public var maxOutputTokens: Int {
        @inlinable get { storage.box.members.maxOutputTokens }
        set { storage.update { $0.maxOutputTokens = newValue } }
    }
    public var capabilities: Set<ModelCapability> {
        @inlinable get { storage.box.members.capabilities }
        set { storage.update { $0.capabilities = newValue } }
    }
    /// Overrides the provider's region, if set.
    public var region: String? {
        @inlinable get { storage.box.members.region }
        set { storage.update { $0.region = newValue } }
    }
    /// RPM/TPM ceilings of this deployment; at its limit it is skipped instead of collecting 429s.
    public var limits: DeploymentLimits {
        @inlinable get { storage.box.members.limits }
        set { storage.update { $0.limits = newValue } }
    }
    /// Models tried after this one when it is requested by name and fails.
    public var fallbacks: [String] {
        @inlinable get { storage.box.members.fallbacks }
        set { storage.update { $0.fallbacks = newValue } }
    }

    public init(
        name: String, provider: String, upstreamModel: String, tier: String, price: ModelPrice,
        contextWindow: Int = 128_000, maxOutputTokens: Int = 16_384, capabilities: Set<ModelCapability> = [.streaming],
        region: String? = nil, limits: DeploymentLimits = DeploymentLimits(), fallbacks: [String] = []
    ) {
        storage = SharedMembers(Members(
            name: name, provider: provider, upstreamModel: upstreamModel, tier: tier, price: price, contextWindow: contextWindow,
            maxOutputTokens: maxOutputTokens, capabilities: capabilities, region: region, limits: limits, fallbacks: fallbacks))
    }

    /// The stored members.
    @usableFromInline
    struct Members: Hashable, Sendable {
        @usableFromInline var name: String
        @usableFromInline var provider: String
        @usableFromInline var upstreamModel: String
        @usableFromInline var tier: String
        @usableFromInline var price: ModelPrice
        @usableFromInline var contextWindow: Int
        @usableFromInline var maxOutputTokens: Int
        @usableFromInline var capabilities: Set<ModelCapability>
        @usableFromInline var region: String?
        @usableFromInline var limits: DeploymentLimits
        @usableFromInline var fallbacks: [String]
    }

    @usableFromInline var storage: SharedMembers<Members>
}
