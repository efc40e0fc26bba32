import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// Turns provider HTTP failures into ``ProviderError``s the same way for every OpenAI-style API.
enum ProviderErrorMapping {
    /// Classifies a non-2xx response from its status, headers and body.
    static func error(status: Int, headers: [(String, String)], body: [UInt8]) -> ProviderError {
        let detail = ErrorBody(bytes: body)
        let message = detail.message ?? "HTTP \(status)"
        switch status {
        case 429:
            return .rateLimited(retryAfter: retryAfter(headers), message: message)
        case 401, 403:
            return .authentication(status: status, message: message)
        case 408, 500...599:
            return .serverError(status: status, message: message)
        case 400...499:
            if detail.isContextLength { return .contextLengthExceeded(message: message) }
            return .badRequest(status: status, message: message, code: detail.code, param: detail.param)
        default:
            return .malformedResponse(message: "unexpected HTTP status \(status)")
        }
    }

    /// The error of a stream the provider refused (a status other than 2xx), from its status,
    /// headers and the first ``OpenAICompatibleProvider/maximumErrorBytes`` of its body.
    static func error(refusing response: UpstreamStreamingResponse) async -> ProviderError {
        let limit = OpenAICompatibleProvider.maximumErrorBytes
        var body: [UInt8] = []
        do {
            for try await buffer in response.body {
                body.append(contentsOf: buffer.readableBytesView.prefix(limit - body.count))
                if body.count >= limit { break }
            }
        } catch {
            return Self.error(from: error)
        }
        return Self.error(status: response.status, headers: response.headers, body: body)
    }

    /// ``error(status:headers:body:)`` for a response head as the upstream client gives it.
    static func error(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8]) -> ProviderError {
        error(status: Int(status.code), headers: headers.map { ($0.name, $0.value) }, body: body)
    }

    /// Classifies an error thrown by the HTTP client.
    static func error(from error: UpstreamError) -> ProviderError {
        switch error {
        case .deadlineExceeded, .readTimeout:
            return .timeout(message: "\(error)")
        case .cancelled:
            return .timeout(message: "request cancelled")
        case .connectionClosed(afterResponseStarted: true):
            return .streamInterrupted(message: "\(error)")
        case .bodyTooLarge, .invalidResponse:
            return .malformedResponse(message: "\(error)")
        case .connectFailed, .connectTimeout, .connectionClosed(afterResponseStarted: false), .shutDown, .invalidRequest:
            // An unsendable request (a configured header with a line break) fails this
            // deployment only, like a connection that cannot be made.
            return .connectionFailed(message: "\(error)")
        }
    }

    /// Classifies an error thrown while reading a response body.
    static func error(from error: any Error) -> ProviderError {
        if let error = error as? UpstreamError { return Self.error(from: error) }
        if error is CancellationError { return .timeout(message: "request cancelled") }
        return .connectionFailed(message: "\(error)")
    }

    /// `Retry-After` (seconds or HTTP date; dates are treated as unknown) or `retry-after-ms`.
    static func retryAfter(_ headers: [(String, String)]) -> Duration? {
        for (name, value) in headers {
            switch name.lowercased() {
            case "retry-after-ms":
                if let milliseconds = Double(value), milliseconds >= 0 { return .milliseconds(Int64(milliseconds)) }
            case "retry-after":
                if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
            default: continue
            }
        }
        return nil
    }
}

/// The useful parts of an OpenAI-style error body: `{"error": {"message", "code", "param", "type"}}`,
/// `{"error": "text"}`, `{"message": "text"}` or plain text.
struct ErrorBody {
    var message: String?
    var code: String?
    var param: String?
    var type: String?

    init(bytes: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes) else {
            let text = String(decoding: bytes.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            message = text.isEmpty ? nil : text
            return
        }
        if let error = json["error"]?.objectValue {
            message = error["message"]?.stringValue
            code = error["code"]?.stringValue ?? error["code"]?.intValue.map(String.init)
            param = error["param"]?.stringValue
            type = error["type"]?.stringValue
        } else if let text = json["error"]?.stringValue {
            message = text
        } else {
            message = json["message"]?.stringValue ?? json["detail"]?.stringValue
        }
    }

    /// Whether the provider says the prompt does not fit the context window.
    var isContextLength: Bool {
        if code == "context_length_exceeded" || type == "context_length_exceeded" { return true }
        guard let text = message?.lowercased() else { return false }
        return text.contains("context length") || text.contains("context window") || text.contains("maximum context")
            || text.contains("too many tokens")
    }
}

extension UpstreamConnectionPool {
    /// Sends a streaming request for a provider: the response body once the provider accepted it
    /// (a 2xx status), or the provider error for a refusal or a failed exchange.
    func acceptedStream(_ request: UpstreamRequest, deadline: NIODeadline, readTimeout: TimeAmount) async throws(ProviderError) -> UpstreamBody {
        let response: UpstreamStreamingResponse
        do {
            response = try await stream(request, deadline: deadline, readTimeout: readTimeout)
        } catch {
            throw ProviderErrorMapping.error(from: error)
        }
        guard (200..<300).contains(response.status.code) else {
            throw await ProviderErrorMapping.error(refusing: response)
        }
        return response.body
    }
}
