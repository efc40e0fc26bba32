import HTTPTypes
import NIOHTTP1
import SwitchyardCore

/// The answer to bytes a client sent that SwiftNIO cannot parse as an HTTP/1.x request: a status
/// and an OpenAI-shaped error naming what was wrong, so a client sees a reason instead of a bare
/// `400`.
struct MalformedRequest {
    let status: HTTPResponse.Status
    /// The error object, as JSON text.
    let body: String

    init(_ error: HTTPParserError) {
        let code: String
        let message: String
        (status, code, message) =
            switch error {
            case .headerOverflow:
                (.requestHeaderFieldsTooLarge, "request_head_too_large", "The request line and headers are larger than the server reads.")
            case .invalidContentLength, .unexpectedContentLength:
                (.badRequest, "invalid_content_length",
                 "The request's Content-Length is not valid: one decimal number, and not beside Transfer-Encoding: chunked.")
            case .invalidChunkSize:
                (.badRequest, "invalid_chunked_body", "The request's chunked body is not valid: a chunk's size is not a hexadecimal number.")
            case .invalidMethod:
                (.badRequest, "invalid_method", "The request does not start with an HTTP method (this server speaks HTTP/1.0 and HTTP/1.1).")
            case .invalidEOFState:
                (.badRequest, "incomplete_request", "The client stopped sending before the request's end (its body was shorter than declared).")
            case .invalidVersion, .paused:
                // `paused`: SwiftNIO's parser stops at HTTP/2's cleartext preface (`PRI * HTTP/2.0`).
                (.badRequest, "invalid_http_version", "The request's HTTP version is not served here: use HTTP/1.0 or HTTP/1.1.")
            case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort:
                (.badRequest, "invalid_url", "The request's target is not a valid URL path.")
            case .invalidHeaderToken, .invalidCharactersUsed, .lfExpected, .invalidConstant:
                (.badRequest, "malformed_http", "The request is not valid HTTP/1.1: a header line or the request line is malformed (\(error)).")
            default:
                (.badRequest, "malformed_http", "The request is not valid HTTP/1.1 (\(error)).")
            }
        body = JSONWriter.string(GatewayError(status: Int(status.code), type: "invalid_request_error", code: code, message: message).json)
    }
}
