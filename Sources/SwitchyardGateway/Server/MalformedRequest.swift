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
        switch error {
        case .headerOverflow:
            status = .requestHeaderFieldsTooLarge
            code = "request_head_too_large"
            message = "The request line and headers are larger than the server reads."
        case .invalidContentLength, .unexpectedContentLength:
            status = .badRequest
            code = "invalid_content_length"
            message = "The request's Content-Length is not valid: one decimal number, and not beside Transfer-Encoding: chunked."
        case .invalidChunkSize:
            status = .badRequest
            code = "invalid_chunked_body"
            message = "The request's chunked body is not valid: a chunk's size is not a hexadecimal number."
        case .invalidMethod:
            status = .badRequest
            code = "invalid_method"
            message = "The request does not start with an HTTP method (this server speaks HTTP/1.0 and HTTP/1.1)."
        case .invalidEOFState:
            status = .badRequest
            code = "incomplete_request"
            message = "The client stopped sending before the request's end (its body was shorter than declared)."
        case .invalidVersion, .paused:
            // `paused`: SwiftNIO's parser stops at HTTP/2's cleartext preface (`PRI * HTTP/2.0`).
            status = .badRequest
            code = "invalid_http_version"
            message = "The request's HTTP version is not served here: use HTTP/1.0 or HTTP/1.1."
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort:
            status = .badRequest
            code = "invalid_url"
            message = "The request's target is not a valid URL path."
        case .invalidHeaderToken, .invalidCharactersUsed, .lfExpected, .invalidConstant:
            status = .badRequest
            code = "malformed_http"
            message = "The request is not valid HTTP/1.1: a header line or the request line is malformed (\(error))."
        default:
            status = .badRequest
            code = "malformed_http"
            message = "The request is not valid HTTP/1.1 (\(error))."
        }
        body = JSONWriter.string(GatewayError(status: Int(status.code), type: "invalid_request_error", code: code, message: message).json)
    }
}
