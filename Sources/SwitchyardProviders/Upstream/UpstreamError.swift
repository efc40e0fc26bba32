import Foundation

/// Why an upstream exchange failed, before or after the response started.
public enum UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection could be made (refused, unreachable, TLS handshake failed…).
    case connectFailed(String)
    /// The connection was not made within the connect timeout.
    case connectTimeout
    /// The response did not start before the call's deadline.
    case deadlineExceeded
    /// Nothing arrived for longer than the read timeout.
    case readTimeout
    /// The upstream closed the connection before the response ended.
    case connectionClosed(afterResponseStarted: Bool)
    /// The request cannot be sent as it is (a header value with a line break, say); nothing
    /// was sent.
    case invalidRequest(String)
    /// The response is not valid HTTP/1.
    case invalidResponse(String)
    /// A buffered response body grew past the limit the caller set.
    case bodyTooLarge(limit: Int)
    /// The calling task was cancelled.
    case cancelled
    /// The pool is shut down.
    case shutDown

    public var description: String {
        switch self {
        case .connectFailed(let reason): return "connect failed: \(reason)"
        case .connectTimeout: return "connect timeout"
        case .deadlineExceeded: return "deadline exceeded before the response started"
        case .readTimeout: return "read timeout"
        case .connectionClosed(let started):
            return started ? "the connection closed before the response ended" : "the connection closed before the response started"
        case .invalidRequest(let reason): return "invalid HTTP request: \(reason)"
        case .invalidResponse(let reason): return "invalid HTTP response: \(reason)"
        case .bodyTooLarge(let limit): return "response body larger than \(limit) bytes"
        case .cancelled: return "cancelled"
        case .shutDown: return "the upstream pool is shut down"
        }
    }
}

extension UpstreamError {
    /// A one-line account of a connection or TLS failure for error messages: TLS library errors
    /// are cut to their reason (`CERTIFICATE_VERIFY_FAILED`), without the source paths they carry.
    static func brief(_ error: any Error) -> String {
        let text = "\(error)"
        guard let marker = text.range(of: "OPENSSL_internal:") else { return text }
        let reason = text[marker.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" }
        let context = text.hasPrefix("handshakeFailed") ? "TLS handshake failed" : "TLS error"
        return "\(context): \(reason)"
    }
}
