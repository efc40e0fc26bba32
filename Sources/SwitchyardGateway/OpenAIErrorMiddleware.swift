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
        var response: Response
        do {
            return try await next(request, context)
        } catch let error as GatewayError {
            response = error.response
        } catch let error as HTTPError {
            response = Self.translate(error, request: request).response
        } catch is NIOTooManyBytesError {
            response = GatewayError(status: 413, type: "invalid_request_error", code: "request_too_large", message: "The request body is too large.").response
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            response = GatewayError.internalError("The gateway failed unexpectedly; the error was logged.").response
        }
        // Errors carry the decision id too, so a failed request can be found in the ledger.
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
    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(json))))
    }
}
