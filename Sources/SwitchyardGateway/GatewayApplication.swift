import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore

/// Builds the Switchyard HTTP application from a validated configuration.
public enum GatewayApplication {
    /// The gateway's routes and middleware, without a server (for embedding and tests).
    public static func buildRouter(configuration: GatewayConfiguration, providers: ProviderRegistry) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: OpenAIErrorMiddleware())
        let chat = ChatCompletionsHandler(configuration: configuration, providers: providers)
        router.post("/v1/chat/completions") { request, context in
            try await chat.handle(request, context: context)
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
            router: buildRouter(configuration: configuration, providers: providers),
            configuration: ApplicationConfiguration(address: .hostname(server.host, port: server.port), serverName: "switchyard"),
            services: [providers],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? server.port) },
            logger: logger
        )
    }

    static func modelsResponse(_ configuration: GatewayConfiguration) -> JSONValue {
        let data = configuration.models.map { model -> JSONValue in
            [
                "id": .string(model.name), "object": "model", "created": 0, "owned_by": .string(model.provider),
                "tier": .string(model.tier), "context_window": .int(Int64(model.contextWindow)),
            ]
        }
        return ["object": "list", "data": .array(data)]
    }
}

func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
}
