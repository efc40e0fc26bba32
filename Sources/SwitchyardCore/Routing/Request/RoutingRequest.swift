import Foundation

/// A client's hint about one signal, with where it was given (for precedence and error messages).
public struct Hint<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    /// `.metadataBody` or `.metadataHeader`.
    public var source: SignalSource
    /// The body path or header name it came from, e.g. `metadata.switchyard.task`.
    public var param: String

    public init(value: Value, source: SignalSource, param: String) {
        self.value = value
        self.source = source
        self.param = param
    }
}

/// What the client said about its request: `metadata.switchyard.*` in the body, else the
/// `x-switchyard-*` headers (the body wins when both are given).
public struct RoutingHints: Sendable, Hashable {
    public var task: Hint<String>?
    public var complexity: Hint<Double>?
    public var sensitivity: Hint<Sensitivity>?
    /// Conversation id for session stickiness.
    public var session: String?
    /// Region the request's data must stay in.
    public var region: String?

    public init(task: Hint<String>? = nil, complexity: Hint<Double>? = nil, sensitivity: Hint<Sensitivity>? = nil, session: String? = nil, region: String? = nil) {
        self.task = task
        self.complexity = complexity
        self.sensitivity = sensitivity
        self.session = session
        self.region = region
    }
}

/// The parts of a chat request routing reads.
public struct RoutingRequest: Sendable {
    /// `auto`, `tier:NAME` or a configured model name.
    public var model: String
    public var messages: [ChatMessage]
    /// `max_completion_tokens` / `max_tokens`, if given.
    public var maxOutputTokens: Int?
    public var hints: RoutingHints

    public init(model: String, messages: [ChatMessage], maxOutputTokens: Int? = nil, hints: RoutingHints = RoutingHints()) {
        self.model = model
        self.messages = messages
        self.maxOutputTokens = maxOutputTokens
        self.hints = hints
    }

    /// Reads the request and its hints from the body's `metadata.switchyard` object (or flat
    /// `metadata["switchyard.task"]` strings, for SDKs that only allow string metadata) and from
    /// `x-switchyard-task`, `-complexity`, `-sensitivity`, `-session`, `-region` headers
    /// (`headers` keyed by lower-case name). A malformed hint is a 400 naming the field.
    public init(chat: ChatCompletionRequest, headers: [String: String]) throws(GatewayError) {
        self.init(model: chat.model, messages: chat.messages, maxOutputTokens: chat.maxOutputTokens)
        self.hints = try RoutingHints(body: chat.body, headers: headers)
    }
}

extension RoutingHints {
    /// Header names, lower-case.
    public static let headerPrefix = "x-switchyard-"
    /// The full header name of each hint (longer than a small string, so built once).
    static let hintHeaders = Dictionary(
        uniqueKeysWithValues: ["task", "complexity", "sensitivity", "session", "region"].map { ($0, headerPrefix + $0) })

    init(body: JSONObject, headers: [String: String]) throws(GatewayError) {
        var bodyValues: [String: (value: JSONValue, param: String)] = [:]
        if let metadata = body["metadata"], metadata != .null {
            guard let object = metadata.objectValue else {
                throw .invalidRequest("'metadata' must be an object, got \(metadata.typeName).", param: "metadata", code: "invalid_type")
            }
            if let nested = object["switchyard"], nested != .null {
                guard let switchyard = nested.objectValue else {
                    throw .invalidRequest(
                        "'metadata.switchyard' must be an object, got \(nested.typeName).", param: "metadata.switchyard", code: "invalid_type")
                }
                for (key, value) in switchyard.entries where value != .null {
                    bodyValues[key] = (value, "metadata.switchyard.\(key)")
                }
            }
            for (key, value) in object.entries where key.hasPrefix("switchyard.") && value != .null {
                let name = String(key.dropFirst("switchyard.".count))
                if bodyValues[name] == nil { bodyValues[name] = (value, "metadata.\(key)") }
            }
        }
        func lookup(_ name: String) -> (text: String?, number: Double?, source: SignalSource, param: String)? {
            if let (value, param) = bodyValues[name] {
                return (value.stringValue, value.doubleValue, .metadataBody, param)
            }
            // Most requests carry no hint header: no header name is built for them.
            guard !headers.isEmpty else { return nil }
            let header = Self.hintHeaders[name] ?? Self.headerPrefix + name
            if let text = headers[header] {
                return (text, nil, .metadataHeader, header)
            }
            return nil
        }
        func text(_ name: String) throws(GatewayError) -> (String, SignalSource, String)? {
            guard let found = lookup(name) else { return nil }
            let trimmed = found.text?.trimmingCharacters(in: .whitespaces) ?? ""
            guard !trimmed.isEmpty else {
                throw .invalidRequest("'\(found.param)' must be a non-empty string.", param: found.param, code: "invalid_value")
            }
            return (trimmed, found.source, found.param)
        }
        if let (value, source, param) = try text("task") {
            task = Hint(value: value.lowercased(), source: source, param: param)
        }
        if let found = lookup("complexity") {
            let number = found.number ?? found.text.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard let number, number >= 0, number <= 1 else {
                throw .invalidRequest("'\(found.param)' must be a number between 0 and 1.", param: found.param, code: "invalid_value")
            }
            complexity = Hint(value: number, source: found.source, param: found.param)
        }
        if let (value, source, param) = try text("sensitivity") {
            guard let level = Sensitivity(rawValue: value.lowercased()) else {
                throw .invalidRequest(
                    "'\(param)' must be one of public, internal, restricted; got '\(value)'.", param: param, code: "invalid_value")
            }
            sensitivity = Hint(value: level, source: source, param: param)
        }
        session = try text("session")?.0
        region = try text("region")?.0.lowercased()
        for key in bodyValues.keys where !Self.knownKeys.contains(key) {
            let param = bodyValues[key]!.param
            throw .invalidRequest(
                "Unknown routing hint '\(param)'; known: \(Self.knownKeys.sorted().joined(separator: ", ")).", param: param, code: "invalid_value")
        }
    }

    /// Keys of `metadata.switchyard`: the routing hints, plus the per-request gate options that
    /// ``GateRequestOptions`` reads and validates.
    static let knownKeys: Set<String> = Set(["task", "complexity", "sensitivity", "session", "region"]).union(GateRequestOptions.metadataKeys)
}
