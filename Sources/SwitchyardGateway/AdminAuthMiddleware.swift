import Hummingbird
import SwitchyardCore

/// Guards `/admin/*`: requires `Authorization: Bearer <server.admin_key>`. Without a configured
/// key the admin API is off (403), so an unconfigured gateway never exposes it.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let adminKey: String?

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard let adminKey else {
            throw GatewayError(
                status: 403, type: "permission_error", code: "admin_disabled",
                message: "The admin API is disabled: set server.admin_key to enable it.")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            constantTimeEquals(Array(header.utf8.dropFirst(7)), Array(adminKey.utf8))
        else {
            if request.headers[.authorization]?.hasPrefix("Bearer sy-") == true {
                // A tenant's virtual key: authenticated, but never an administrator.
                throw GatewayError(
                    status: 403, type: "permission_error", code: "admin_only",
                    message: "Virtual keys cannot use the admin API; use the admin key.")
            }
            throw GatewayError(
                status: 401, type: "authentication_error", code: "invalid_admin_key",
                message: "The admin API needs 'Authorization: Bearer <server.admin_key>'.")
        }
        return try await next(request, context)
    }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
