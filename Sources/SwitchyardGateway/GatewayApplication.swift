import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore

/// Builds the Switchyard HTTP application from a validated configuration.
public enum GatewayApplication {
    /// The gateway's routes and middleware, without a server (for embedding and tests).
    public static func buildRouter(configuration: GatewayConfiguration, providers: ProviderRegistry, logger: Logger) -> Router<BasicRequestContext> {
        let monitor = DeploymentMonitor(configuration: configuration, logger: logger)
        let executor = ChainExecutor(configuration: configuration, providers: providers, monitor: monitor, logger: logger)
        let gates = GateEvaluator(configuration: configuration)
        let reviews = ReviewQueue()
        let statistics = CascadeStatistics(escalationCeiling: configuration.routing.gates.escalationAlertRate, logger: logger)
        let chat = ChatCompletionsHandler(
            configuration: configuration,
            engine: RoutingEngine(configuration: configuration),
            executor: executor,
            monitor: monitor,
            sessions: SessionStore(configuration: configuration),
            decisions: DecisionLog(),
            gates: gates,
            cascade: GatedCascade(
                gates: gates, executor: executor, reviews: reviews, statistics: statistics,
                tierRank: Dictionary(configuration.tiers.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })))
        let route = RouteHandler(chat: chat)

        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: OpenAIErrorMiddleware())
        let admin = router.group("/admin").add(middleware: AdminAuthMiddleware(adminKey: configuration.server.adminKey))
        ReviewRoutes(queue: reviews, statistics: statistics).register(on: admin)
        router.post("/v1/chat/completions") { request, context in
            try await chat.handle(request, context: context)
        }
        router.post("/v1/route") { request, context in
            try await route.handle(request, context: context)
        }
        router.get("/v1/decisions/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let record = chat.decisions.record(id: id) else {
                throw GatewayError(
                    status: 404, type: "invalid_request_error", code: "decision_not_found",
                    message: "No recent decision with id '\(id)' (the gateway keeps the last \(chat.decisions.capacity) in memory).")
            }
            return jsonResponse(record)
        }
        let modelList = modelsResponse(configuration)
        router.get("/v1/models") { _, _ in
            jsonResponse(modelList)
        }
        router.get("/healthz") { _, _ in
            jsonResponse(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            jsonResponse(["status": "ready", "models": .int(Int64(configuration.models.count))])
        }
        return router
    }

    /// A runnable gateway: server, provider clients and their shutdown, as one application.
    ///
    /// - Parameters:
    ///   - onServerRunning: Called with the bound port once the server accepts connections.
    public static func build(
        configuration: GatewayConfiguration, logger: Logger = Logger(label: "switchyard"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let providers = ProviderRegistry(configuration: configuration)
        let server = configuration.server
        return Application(
            router: buildRouter(configuration: configuration, providers: providers, logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(server.host, port: server.port), serverName: "switchyard"),
            services: [providers],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? server.port) },
            logger: logger
        )
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

func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
}
