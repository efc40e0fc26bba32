import Foundation
import Hummingbird
import SwitchyardCore

/// `POST /v1/route`: the routing decision for a chat-completions body, without calling any model.
///
/// Takes the same body and `x-switchyard-*` hint headers as `/v1/chat/completions`. Because a dry
/// run spends nothing, it also accepts `x-switchyard-user-tier: free|pro|enterprise` to show how
/// the policy treats another plan.
struct RouteHandler: Sendable {
    let chat: ChatCompletionsHandler

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        // With a virtual key, the tenant's tier, regions and budget state apply, as they would
        // to the real request.
        let identity = try chat.tenants.identify(authorization: request.headers.value(of: .authorization), now: Date())
        let body = try await collectBody(request, limit: chat.configuration.server.maxBodyBytes)
        let parsed = try ChatCompletionRequest(bytes: body.readableBytesView)
        let hints = switchyardHeaders(request.headers)
        var userTier = identity.tenant?.userTier ?? .pro
        if identity.tenant == nil, let text = hints["x-switchyard-user-tier"] {
            guard let tier = UserTier(rawValue: text) else {
                throw GatewayError.invalidRequest(
                    "'x-switchyard-user-tier' must be one of free, pro, enterprise; got '\(text)'.", param: "x-switchyard-user-tier", code: "invalid_value")
            }
            userTier = tier
        }
        let routingRequest = try RoutingRequest(chat: parsed, headers: hints)
        let decision = try await awayFromEventLoop(if: chat.engine.consultsSemanticClassifier) { () throws(GatewayError) -> RoutingDecision in
            try chat.route(routingRequest, decisionID: context.id, identity: identity, userTier: userTier)
        }
        return jsonResponse(decision.record.json)
    }
}
