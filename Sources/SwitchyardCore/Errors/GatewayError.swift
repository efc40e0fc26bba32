/// An error the gateway returns to its caller, in OpenAI's shape:
/// `{"error": {"message", "type", "param", "code"}}` with an HTTP status.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status code.
    public var status: Int
    /// OpenAI error type, e.g. `invalid_request_error`.
    public var type: String
    /// Machine-readable code, e.g. `model_not_found`.
    public var code: String?
    /// The request field the error is about, if any.
    public var param: String?
    /// A sentence for a person.
    public var message: String
    /// Seconds the caller should wait before retrying, sent as `Retry-After`.
    public var retryAfterSeconds: Int?
    /// Extra machine-readable fields of the error object (e.g. `resets_at` of a budget).
    public var details: JSONObject

    public init(
        status: Int, type: String, code: String?, param: String? = nil, message: String, retryAfterSeconds: Int? = nil, details: JSONObject = [:]
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.details = details
    }

    public var description: String { "\(status) \(code ?? type): \(message)" }

    /// The error object as JSON.
    public var json: JSONValue {
        var error = JSONObject([
            ("message", .string(message)),
            ("type", .string(type)),
            ("param", param.map(JSONValue.string) ?? .null),
            ("code", code.map(JSONValue.string) ?? .null),
        ])
        for (key, value) in details.entries { error[key] = value }
        return .object(JSONObject([("error", .object(error))]))
    }
}

extension GatewayError {
    /// The request is malformed or violates the API (400).
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = "invalid_request") -> GatewayError {
        GatewayError(status: 400, type: "invalid_request_error", code: code, param: param, message: message)
    }

    /// The body is not JSON (400).
    public static func malformedJSON(_ parseError: JSONParseError) -> GatewayError {
        GatewayError(
            status: 400, type: "invalid_request_error", code: "invalid_json",
            message: "The request body is not valid JSON: \(parseError)."
        )
    }

    /// The requested model is not configured (404).
    public static func modelNotFound(_ model: String, available: [String]) -> GatewayError {
        let list = available.prefix(20).joined(separator: ", ")
        return GatewayError(
            status: 404, type: "invalid_request_error", code: "model_not_found", param: "model",
            message: "The model '\(model)' does not exist on this gateway. Available models: \(list)."
        )
    }

    /// The body is larger than the configured limit (413).
    public static func payloadTooLarge(limitBytes: Int) -> GatewayError {
        GatewayError(
            status: 413, type: "invalid_request_error", code: "request_too_large",
            message: "The request body exceeds the gateway's limit of \(limitBytes) bytes (server.max_body_bytes)."
        )
    }

    /// No route for this path or method (404 / 405).
    public static func routeNotFound(method: String, path: String) -> GatewayError {
        GatewayError(
            status: 404, type: "invalid_request_error", code: "unknown_url",
            message: "Unknown request URL: \(method) \(path)."
        )
    }

    /// A failure inside the gateway itself (500). Never used for bad input.
    public static func internalError(_ message: String) -> GatewayError {
        GatewayError(status: 500, type: "server_error", code: "internal_error", message: message)
    }
}
