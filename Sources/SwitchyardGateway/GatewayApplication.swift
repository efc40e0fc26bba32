import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore
import SwitchyardEmbeddings
import SwitchyardStorage

/// Builds the Switchyard HTTP application from a validated configuration.
public enum GatewayApplication {
    /// The gateway's routes and middleware, without a server (for embedding and tests).
    ///
    /// - Parameters:
    ///   - store: Where `GET /v1/decisions/{id}` finds decisions older than the in-memory log.
    ///   - ledger: Receives one entry per chat request.
    ///   - metrics: Serves `GET /metrics`; `nil` disables the route.
    ///   - reviews: The review queue behind `/admin/review` (loaded from the store by the caller).
    /// - Returns: The router, and the chat handler it routes `POST /v1/chat/completions` to
    ///   (``ChatFirstResponder`` calls it without the router).
    static func buildRouter(
        configuration: GatewayConfiguration, providers: ProviderRegistry, store: any LedgerStore & TenantStore, ledger: LedgerRecorder,
        metrics: GatewayMetrics?, tenants: TenantDirectory, budgets: BudgetBook, reviews: ReviewQueue, semantic: SemanticModels = SemanticModels(),
        logger: Logger
    ) -> (router: Router<BasicRequestContext>, chat: ChatCompletionsHandler) {
        let monitor = DeploymentMonitor(configuration: configuration, logger: logger)
        let executor = ChainExecutor(configuration: configuration, providers: providers, monitor: monitor, logger: logger)
        let gates = GateEvaluator(configuration: configuration)
        let statistics = CascadeStatistics(escalationCeiling: configuration.routing.gates.escalationAlertRate, logger: logger)
        let shadow = ShadowEvaluator(configuration: configuration, providers: providers, ledger: ledger, embedder: semantic.embedder, logger: logger)
        let chat = ChatCompletionsHandler(
            configuration: configuration,
            engine: RoutingEngine(configuration: configuration, semantic: semantic.classifier),
            executor: executor,
            monitor: monitor,
            sessions: SessionStore(configuration: configuration),
            decisions: DecisionLog(),
            gates: gates,
            cascade: GatedCascade(
                gates: gates, executor: executor, reviews: reviews, statistics: statistics,
                tierRank: Dictionary(configuration.tiers.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })),
            ledger: ledger, tenants: tenants, budgets: budgets, shadow: shadow)
        let route = RouteHandler(chat: chat)

        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: OpenAIErrorMiddleware())
        let admin = router.group("/admin").add(middleware: AdminAuthMiddleware(adminKey: configuration.server.adminKey))
        let rateLimits: (@Sendable () -> JSONValue)? =
            budgets.shared ? { @Sendable in sharedRateLimitsJSON(instances: budgets.rateInstances, [budgets, monitor]) } : nil
        ReviewRoutes(queue: reviews, statistics: statistics, shadow: shadow, rateLimits: rateLimits).register(on: admin)
        TenancyRoutes(directory: tenants, budgets: budgets, store: store, configuration: configuration).register(admin: admin, router: router)
        router.post(RouterPath(ChatFirstResponder.chatPath)) { request, context in
            try await chat.handle(request, context: context)
        }
        let messages = MessagesHandler(chat: chat)
        router.post(RouterPath(MessagesHandler.path)) { request, context in
            await messages.handle(request, context: context)
        }
        let embeddings = EmbeddingsHandler(
            embedder: semantic.embedder, maxBodyBytes: configuration.server.maxBodyBytes, configuration: configuration, providers: providers)
        router.post("/v1/embeddings") { request, _ in
            try await embeddings.handle(request)
        }
        router.post("/v1/route") { request, context in
            try await route.handle(request, context: context)
        }
        router.get("/v1/decisions/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            if let record = chat.decisions.record(id: id) { return jsonResponse(text: record) }
            // Older decisions come from the ledger (written within one flush interval).
            if let entry = try await store.ledgerEntry(decisionID: id), let record = entry.decisionRecordJSON {
                return jsonResponse(text: record)
            }
            throw GatewayError(status: 404, type: "invalid_request_error", code: "decision_not_found", message: "No decision with id '\(id)'.")
        }
        if let metrics {
            let deployments = configuration.models
            router.get("/metrics") { _, _ in
                let text = metrics.exposition(recorder: ledger, monitor: monitor, deployments: deployments, providers: providers)
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
            }
        }
        let modelList = modelsResponse(configuration)
        let anthropicModelList = anthropicModelsResponse(modelList)
        router.get("/v1/models") { request, _ in
            // Anthropic's SDKs send their API version with every call, and read their own shape.
            jsonResponse(request.headers[anthropicVersionHeader] == nil ? modelList : anthropicModelList)
        }
        router.get("/healthz") { _, _ in
            jsonResponse(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            jsonResponse(["status": "ready", "models": .int(Int64(configuration.models.count))])
        }
        return (router, chat)
    }

    /// A runnable gateway: server, provider clients and their shutdown, as one application.
    ///
    /// - Parameters:
    ///   - onServerRunning: Called with the bound port once the server accepts connections.
    /// Opens the store named by `storage` (creating and migrating it as needed); the ledger
    /// writer runs as a service that stops after the server, so a graceful shutdown writes every
    /// entry.
    public static func build(
        configuration: GatewayConfiguration, logger: Logger = Logger(label: "switchyard"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws(StoreError) -> some ApplicationProtocol {
        let store = try await StoreOpener.open(configuration.storage, logger: logger)
        let metrics = configuration.telemetry.metricsEnabled ? GatewayMetrics(settings: configuration.telemetry) : nil
        // How busy the cores were is measured against the CPUs the process may run on.
        let ledger = LedgerRecorder(
            store: store, settings: configuration.ledger, observer: metrics, logger: logger,
            cpuClock: ProcessCPUClock(cpus: EventLoopSizing.allowedCPUs()))
        let tenants = TenantDirectory(store: store, settings: configuration.tenancy)
        try await tenants.load()
        // On a store that several instances share, budgets are too: each reserves within a slice
        // it leases from the store.
        let leaseStore = store as? any BudgetLeaseStore
        let budgets = BudgetBook(
            settings: configuration.tenancy,
            alerts: AlertDispatcher(webhooks: configuration.tenancy.webhooks, logger: logger, metrics: metrics, claims: leaseStore),
            shared: leaseStore != nil)
        // Spend so far this day and month comes from the ledger: budgets survive restarts.
        try await budgets.preload(store: store, tenants: tenants.allTenants, keys: tenants.allKeys, now: Date())
        let semantic: SemanticModels
        do throws(EmbeddingError) {
            semantic = try SemanticModels.load(configuration.embeddings, routing: configuration.routing, tiers: configuration.tiers, logger: logger)
        } catch {
            throw StoreError(.unavailable, "embeddings: \(error)")
        }
        if configuration.routing.policy.shadow?.agreement == .embedding, semantic.embedder == nil {
            throw StoreError(
                .unavailable,
                "policy.shadow.agreement: embedding needs the local embedding model, which is not loaded (see embeddings.model_path, docs/embeddings.md)")
        }
        let providers = ProviderRegistry(configuration: configuration)
        let server = configuration.server
        // Flagged answers survive restarts: the newest are read back, and each flag and verdict is
        // written by the queue's own service.
        let reviews = ReviewQueue(store: store, logger: logger)
        try await reviews.load()
        let (router, chat) = buildRouter(
            configuration: configuration, providers: providers, store: store, ledger: ledger, metrics: metrics, tenants: tenants,
            budgets: budgets, reviews: reviews, semantic: semantic, logger: logger)
        let leaseSync = leaseStore.map {
            BudgetLeaseSync(book: budgets, rateLimits: [budgets, chat.monitor], store: $0, settings: configuration.tenancy, logger: logger)
        }
        // Shadow verdicts already measured (before a restart, or by other instances) count.
        try await chat.shadow?.load(from: store)
        // Other instances change tenants, keys and shadow verdicts in a shared store: re-read
        // them now and then.
        var refresh: SharedStateRefresh?
        if case .postgres(_, _, let interval) = configuration.storage {
            refresh = SharedStateRefresh(directory: tenants, shadow: chat.shadow, store: store, interval: interval, logger: logger)
        }
        // Services stop in reverse order: the server first, then shadow calls (before the
        // providers' connections they use), the providers' connections, the review queue's
        // writes, shared-state refreshes, the shared budgets' last report and the ledger writer;
        // the store's connections close once the writer's last flush and that report are done.
        var services: [any Service] = [
            StoreLifetime(store, closeAfter: {
                await ledger.waitUntilStopped()
                await leaseSync?.waitUntilStopped()
            }),
            ledger,
        ]
        if let leaseSync { services.append(leaseSync) }
        if let refresh { services.append(refresh) }
        services += [reviews, providers] as [any Service]
        if let shadow = chat.shadow { services.append(shadow) }
        return Application(
            router: router,
            // Each request is read by a channel handler and answered by a task on its
            // connection's event loop: no async channel in between, no hop to Swift's global
            // executor. It keeps as much body as the most any route reads.
            server: .directHTTP1(
                responder: ChatFirstResponder(chat: chat, messages: MessagesHandler(chat: chat), router: router.buildResponder()), maxBodyBytes: max(server.maxBodyBytes, TenancyRoutes.maxBodyBytes), serverName: "switchyard",
                logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(server.host, port: server.port), serverName: "switchyard"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? server.port) },
            logger: logger
        )
    }

    /// The header Anthropic's SDKs send with every request.
    static let anthropicVersionHeader = HTTPField.Name("anthropic-version")!

    /// The model list in Anthropic's shape: the same ids, as `model` objects.
    static func anthropicModelsResponse(_ openAIList: JSONValue) -> JSONValue {
        let ids = (openAIList["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        let data = ids.map { id -> JSONValue in
            ["type": "model", "id": .string(id), "display_name": .string(id), "created_at": "1970-01-01T00:00:00Z"]
        }
        return [
            "data": .array(data), "has_more": false,
            "first_id": ids.first.map(JSONValue.string) ?? .null, "last_id": ids.last.map(JSONValue.string) ?? .null,
        ]
    }

    static func modelsResponse(_ configuration: GatewayConfiguration) -> JSONValue {
        var data = configuration.models.map { model -> JSONValue in
            [
                "id": .string(model.name), "object": "model", "created": 0, "owned_by": .string(model.provider),
                "tier": .string(model.tier), "context_window": .int(Int64(model.contextWindow)),
            ]
        }
        // The routing forms are models too, as far as clients listing models are concerned.
        data.append(["id": "auto", "object": "model", "created": 0, "owned_by": "switchyard"])
        for tier in configuration.tiers {
            data.append(["id": .string("tier:\(tier)"), "object": "model", "created": 0, "owned_by": "switchyard"])
        }
        return ["object": "list", "data": .array(data)]
    }
}

/// A 200 response whose body is JSON text as it was stored.
func jsonResponse(text: String) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
}
