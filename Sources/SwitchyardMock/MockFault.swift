import Foundation

/// Faults the simulated provider can inject, drawn from profile rates.
public enum MockFaultKind: String, Sendable, Hashable, CaseIterable {
    /// HTTP 429 with `Retry-After: 1`.
    case rateLimit = "rate_limit"
    /// HTTP 500.
    case serverError = "server_error"
    /// HTTP 529 (overloaded).
    case overloaded
    /// No answer at all until the client gives up.
    case hang
    /// A stream cut after a few chunks (a truncated body when not streaming).
    case cut
    /// A 200 whose body is not the wire format.
    case malformed
}

/// A fault to inject into one response.
///
/// Requested per call with the `x-mock-fault` header, e.g. `429;retry-after=2`, `500`, `503`, `529`,
/// `400`, `401`, `404`, `context-length`, `hang`, `cut-after=5`, `malformed`, `error-event=429`,
/// `delay=250` (milliseconds, before answering). Several faults may be comma-separated.
public enum MockFault: Sendable, Hashable {
    /// An HTTP error status with an OpenAI error body; 429 carries `Retry-After`.
    case status(Int, retryAfterSeconds: Int?)
    /// 400 with code `context_length_exceeded`.
    case contextLength
    /// Never answer (until the client disconnects, or ten minutes).
    case hang
    /// Send `chunks` stream chunks, then drop the connection without `[DONE]`.
    case cut(afterChunks: Int)
    /// Answer 200 with a body that is not valid JSON (or SSE events that are not JSON).
    case malformed
    /// Answer 200, then send an OpenAI error event as the first stream chunk.
    case errorEvent(status: Int)
    /// Wait this long before answering.
    case delay(Duration)

    /// Parses the value of an `x-mock-fault` header (qualifiers such as `model=` are ignored
    /// here; see ``MockFaultRule``).
    public static func parse(header: String) throws(MockFaultParseError) -> [MockFault] {
        try MockFaultRule.parse(header: header).map(\.fault)
    }

    static func parse(single text: String, parameters: [String: String]) throws(MockFaultParseError) -> MockFault {
        let (name, value) = splitAssignment(text)
        switch name {
        case "hang": return .hang
        case "malformed": return .malformed
        case "context-length", "context_length": return .contextLength
        case "cut", "cut-after":
            return .cut(afterChunks: Int(value ?? "3") ?? 3)
        case "error-event":
            return .errorEvent(status: Int(value ?? "500") ?? 500)
        case "delay":
            guard let milliseconds = value.flatMap(Int.init), milliseconds >= 0 else { throw MockFaultParseError(text: text) }
            return .delay(.milliseconds(milliseconds))
        default:
            guard let status = Int(name), (400...599).contains(status) else { throw MockFaultParseError(text: text) }
            let retryAfter = parameters["retry-after"].flatMap(Int.init) ?? (status == 429 ? 1 : nil)
            return .status(status, retryAfterSeconds: retryAfter)
        }
    }

    static func splitAssignment(_ text: String) -> (String, String?) {
        guard let equals = text.firstIndex(of: "=") else { return (text, nil) }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// The fault a profile fault kind stands for.
    init(kind: MockFaultKind) {
        switch kind {
        case .rateLimit: self = .status(429, retryAfterSeconds: 1)
        case .serverError: self = .status(500, retryAfterSeconds: nil)
        case .overloaded: self = .status(529, retryAfterSeconds: nil)
        case .hang: self = .hang
        case .cut: self = .cut(afterChunks: 3)
        case .malformed: self = .malformed
        }
    }
}

/// An `x-mock-fault` value the mock does not understand.
public struct MockFaultParseError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "unknown fault '\(text)'; use e.g. 429;retry-after=2, 500, 529, 400, context-length, hang, cut-after=5, malformed, error-event=429, delay=250"
    }
}

/// One fault requested by `x-mock-fault`, with its qualifiers:
///
/// * `model=NAME` — only requests for that upstream model get the fault (others answer normally),
///   so a test can break one deployment of a chain and keep the next healthy;
/// * `times=N` — only the first N matching requests get it (counted per distinct header value;
///   add e.g. `id=test-42` to keep concurrent tests apart), so "fail, then succeed on retry" can
///   be scripted.
///
/// Example: `503;model=sim-light;times=2;id=t1, delay=50`.
public struct MockFaultRule: Sendable, Hashable {
    public var fault: MockFault
    public var model: String?
    public var times: Int?

    /// Parses a whole `x-mock-fault` header.
    public static func parse(header: String) throws(MockFaultParseError) -> [MockFaultRule] {
        let parts = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw MockFaultParseError(text: header) }
        return try parts.map { (part) throws(MockFaultParseError) -> MockFaultRule in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let head = pieces.first, !head.isEmpty else { throw MockFaultParseError(text: part) }
            var parameters: [String: String] = [:]
            for piece in pieces.dropFirst() {
                let (key, value) = MockFault.splitAssignment(piece)
                parameters[key] = value ?? ""
            }
            var times: Int?
            if let text = parameters["times"] {
                guard let count = Int(text), count >= 0 else { throw MockFaultParseError(text: part) }
                times = count
            }
            return MockFaultRule(fault: try MockFault.parse(single: head, parameters: parameters), model: parameters["model"], times: times)
        }
    }
}
