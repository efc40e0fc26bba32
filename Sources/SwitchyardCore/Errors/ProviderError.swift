/// A failed call to a model provider, normalised across wire formats.
///
/// Each case says whether trying again (the same or another deployment) can help, which the
/// executor uses for retries and fallbacks, and how the failure looks to the gateway's caller.
public enum ProviderError: Error, Sendable, Equatable {
    /// 429: the provider throttled us. `retryAfter` comes from its `Retry-After` header.
    case rateLimited(retryAfter: Duration?, message: String)
    /// The provider did not answer in time (connect, read or overall deadline).
    case timeout(message: String)
    /// 5xx, 529 (overloaded) or 408 from the provider.
    case serverError(status: Int, message: String)
    /// The request could not reach the provider (refused, reset, DNS).
    case connectionFailed(message: String)
    /// The provider refused our credentials (401, 403).
    case authentication(status: Int, message: String)
    /// The prompt plus requested output does not fit the model's context window.
    case contextLengthExceeded(message: String)
    /// The provider rejected the request itself (400, 404, 422, …): the caller's error.
    case badRequest(status: Int, message: String, code: String?, param: String?)
    /// The provider answered with something that is not its wire format.
    case malformedResponse(message: String)
    /// A stream ended before it was complete.
    case streamInterrupted(message: String)
}

extension ProviderError {
    /// The class of error, as recorded in decision records and metrics.
    public var errorClass: String {
        switch self {
        case .rateLimited: return "rate_limited"
        case .timeout: return "timeout"
        case .serverError: return "server_error"
        case .connectionFailed: return "connection_failed"
        case .authentication: return "authentication"
        case .contextLengthExceeded: return "context_length"
        case .badRequest: return "bad_request"
        case .malformedResponse: return "malformed_response"
        case .streamInterrupted: return "stream_interrupted"
        }
    }

    /// Whether another attempt (after a delay, or on another deployment) may succeed.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .timeout, .serverError, .connectionFailed, .malformedResponse, .streamInterrupted:
            return true
        case .authentication, .contextLengthExceeded, .badRequest:
            return false
        }
    }

    /// How this failure is reported to the gateway's caller.
    public var gatewayError: GatewayError {
        switch self {
        case .rateLimited(let retryAfter, let message):
            let seconds = retryAfter.map { Int(($0.components.seconds)) + ($0.components.attoseconds > 0 ? 1 : 0) }
            return GatewayError(
                status: 429, type: "rate_limit_error", code: "upstream_rate_limited",
                message: "The provider is rate limiting requests: \(message)", retryAfterSeconds: seconds
            )
        case .timeout(let message):
            return GatewayError(status: 504, type: "upstream_error", code: "upstream_timeout", message: "The provider did not answer in time: \(message)")
        case .serverError(let status, let message):
            return GatewayError(status: 502, type: "upstream_error", code: "upstream_server_error", message: "The provider failed with HTTP \(status): \(message)")
        case .connectionFailed(let message):
            return GatewayError(status: 502, type: "upstream_error", code: "upstream_unreachable", message: "The provider could not be reached: \(message)")
        case .authentication(let status, let message):
            return GatewayError(
                status: 502, type: "upstream_error", code: "upstream_authentication_failed",
                message: "The provider rejected the gateway's credentials (HTTP \(status)): \(message)"
            )
        case .contextLengthExceeded(let message):
            return GatewayError(status: 400, type: "invalid_request_error", code: "context_length_exceeded", param: "messages", message: message)
        case .badRequest(let status, let message, let code, let param):
            return GatewayError(status: status, type: "invalid_request_error", code: code, param: param, message: message)
        case .malformedResponse(let message):
            return GatewayError(status: 502, type: "upstream_error", code: "upstream_malformed_response", message: "The provider's answer could not be read: \(message)")
        case .streamInterrupted(let message):
            return GatewayError(status: 502, type: "upstream_error", code: "upstream_stream_interrupted", message: "The provider's stream ended early: \(message)")
        }
    }
}
