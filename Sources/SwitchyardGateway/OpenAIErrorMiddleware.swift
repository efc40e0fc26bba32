import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// Turns every error that reaches the edge into OpenAI's error shape with the right status, so
/// SDKs raise their typed exceptions. Unknown errors are logged and become a 500 — a bug, never
/// the answer to bad input.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, request: request, context: context)
        }
    }

    /// The OpenAI-shaped response for `error`, with the request's decision id (errors carry it
    /// too, so a failed request can be found in the ledger). The chat route calls it directly
    /// (see ``ChatFirstResponder``) rather than through ``handle(_:context:next:)``, whose
    /// closure was one more async frame per request.
    static func response(for error: any Error, request: Request, context: Context) -> Response {
        var response = gatewayError(for: error, request: request, logger: context.logger).response
        response.headers[SwitchyardHeader.decisionID] = context.id
        return response
    }

    static func translate(_ error: HTTPError, request: Request) -> GatewayError {
        switch error.status {
        case .notFound:
            return .routeNotFound(method: request.method.rawValue, path: request.uri.path)
        case .methodNotAllowed:
            return GatewayError(status: 405, type: "invalid_request_error", code: "method_not_allowed", message: "Method \(request.method.rawValue) is not allowed on \(request.uri.path).")
        default:
            let status = Int(error.status.code)
            return GatewayError(
                status: status, type: status >= 500 ? "server_error" : "invalid_request_error", code: nil,
                message: error.body ?? error.status.reasonPhrase)
        }
    }
}

extension GatewayError {
    /// The error as an HTTP response.
    var response: Response { response(body: json) }

    /// The error's status and `Retry-After` with `body` as its JSON (another wire format's
    /// shape of the same error).
    func response(body: JSONValue) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(body))))
    }
}

/// Any error that reaches the edge as the gateway's error: its own as they are, Hummingbird's and
/// SwiftNIO's translated, and anything else logged and turned into a 500.
func gatewayError(for error: any Error, request: Request, logger: Logger) -> GatewayError {
    switch error {
    case let error as GatewayError:
        return error
    case let error as HTTPError:
        return OpenAIErrorMiddleware<BasicRequestContext>.translate(error, request: request)
    case is NIOTooManyBytesError:
        return GatewayError(status: 413, type: "invalid_request_error", code: "request_too_large", message: "The request body is too large.")
    default:
        logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
        return GatewayError.internalError("The gateway failed unexpectedly; the error was logged.")
    }
}
