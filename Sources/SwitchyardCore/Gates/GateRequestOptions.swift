import Foundation

/// What a request says about its own gates, read from `metadata.switchyard.gates`, `.labels` and
/// `.answer_regex` (or the flat string keys `metadata["switchyard.gates"]`, … for SDKs that only
/// allow string metadata), plus the JSON output it asks for in `response_format`.
///
/// * `gates` — a list of gate names (`["json", "number"]`, or `"json,number"` as a string; `[]` or
///   `"none"` = no gates) replaces the task's list; an object adds (`true` or an options object) and
///   removes (`false`) gates from it: `{"confidence": {"mean_logprob": -0.5}, "refusal": false}`.
///   Options: `confidence` takes `mean_logprob`, `min_logprob`, `low_logprob`, `max_low_share`;
///   `number` takes `require_marker`, `integer`, `consistency` (booleans).
/// * `labels` — the allowed labels (a list, or a comma-separated string); turns on the `label` gate.
/// * `answer_regex` — a pattern (ICU syntax) the answer must match; turns on the `regex` gate.
public struct GateRequestOptions: Sendable {
    /// Gate names given as a list: exactly these run (subject to their inputs existing).
    public var only: [GateKind]?
    /// Gates the object form turns on.
    public var enabled: Set<GateKind>
    /// Gates the object form turns off.
    public var disabled: Set<GateKind>
    /// Confidence thresholds for this request (over the task's and model's).
    public var confidence: ConfidenceThresholds?
    /// Number-gate switches for this request.
    public var requireMarker: Bool?
    public var integer: Bool?
    public var consistency: Bool?
    /// Allowed labels for the `label` gate.
    public var labels: [String]?
    /// The `regex` gate's pattern.
    public var answerRegex: String?
    var compiledRegex: GateRegex?
    /// The JSON output `response_format` asks for.
    public var json: JSONOutputRequirement

    /// The `metadata.switchyard` keys this type reads (routing hints must accept them too).
    public static let metadataKeys: Set<String> = ["gates", "labels", "answer_regex"]

    /// Options of a request that sets none.
    public init() {
        only = nil
        enabled = []
        disabled = []
        labels = nil
        answerRegex = nil
        compiledRegex = nil
        json = .none
    }

    /// Reads and validates the request's gate options; a bad value is a 400 naming the field.
    public init(request: ChatCompletionRequest) throws(GatewayError) {
        self.init()
        json = try JSONOutputRequirement(request: request)
        let values = Self.metadataValues(request.body)
        if let (value, param) = values["gates"] { try readGates(value, param: param) }
        if let (value, param) = values["labels"] {
            let list: [JSONValue]
            switch value {
            case .array(let elements): list = elements
            case .string(let text) where text.trimmingCharacters(in: .whitespaces).hasPrefix("["):
                guard let parsed = (try? JSONParser.parse(text))?.arrayValue else { throw Self.bad(param, "must be a list of strings") }
                list = parsed
            case .string(let text): list = text.split(separator: ",").map { .string(String($0)) }
            default: throw Self.bad(param, "must be a list of strings, got \(value.typeName)")
            }
            let labels = list.compactMap { $0.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard labels.count == list.count, !labels.isEmpty, labels.allSatisfy({ !$0.isEmpty }) else {
                throw Self.bad(param, "must be a non-empty list of non-empty strings")
            }
            self.labels = labels
        }
        if let (value, param) = values["answer_regex"] {
            guard let pattern = value.stringValue, !pattern.isEmpty else { throw Self.bad(param, "must be a non-empty string") }
            do {
                compiledRegex = try GateRegex(pattern)
            } catch {
                throw Self.bad(param, "is not a valid regular expression: \(error.message)")
            }
            answerRegex = pattern
        }
        let explicit = Set(only ?? []).union(enabled)
        if explicit.contains(.label), labels == nil {
            throw Self.bad(values["gates"]?.1 ?? "metadata.switchyard.gates", "turns on the label gate but the request gives no metadata.switchyard.labels")
        }
    }

    /// Whether the request named `kind` in `gates` (list form or turned on in the object form).
    public func names(_ kind: GateKind) -> Bool {
        (only?.contains(kind) ?? false) || enabled.contains(kind)
    }

    private mutating func readGates(_ value: JSONValue, param: String) throws(GatewayError) {
        switch value {
        case .array(let elements):
            var kinds: [GateKind] = []
            for (index, element) in elements.enumerated() {
                kinds.append(try Self.kind(element.stringValue, param: "\(param)[\(index)]"))
            }
            only = kinds
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
                guard let parsed = try? JSONParser.parse(trimmed) else { throw Self.bad(param, "is not valid JSON") }
                try readGates(parsed, param: param)
            } else if trimmed.isEmpty || trimmed.lowercased() == "none" {
                only = []
            } else {
                var kinds: [GateKind] = []
                for name in trimmed.split(separator: ",") { kinds.append(try Self.kind(name.trimmingCharacters(in: .whitespaces), param: param)) }
                only = kinds
            }
        case .object(let object):
            for (name, setting) in object.entries {
                let entryParam = "\(param).\(name)"
                let kind = try Self.kind(name, param: entryParam)
                switch setting {
                case .bool(true): enabled.insert(kind)
                case .bool(false): disabled.insert(kind)
                case .object(let options):
                    enabled.insert(kind)
                    try readOptions(kind, options, param: entryParam)
                default: throw Self.bad(entryParam, "must be true, false or an options object")
                }
            }
        default:
            throw Self.bad(param, "must be a list of gate names or an object, got \(value.typeName)")
        }
    }

    private mutating func readOptions(_ kind: GateKind, _ options: JSONObject, param: String) throws(GatewayError) {
        switch kind {
        case .confidence:
            var thresholds = ConfidenceThresholds()
            for (key, value) in options.entries {
                guard let number = value.doubleValue else { throw Self.bad("\(param).\(key)", "must be a number") }
                switch key {
                case "mean_logprob": thresholds.meanLogprob = number
                case "min_logprob": thresholds.minLogprob = number
                case "low_logprob": thresholds.lowLogprob = number
                case "max_low_share": thresholds.maxLowShare = number
                default: throw Self.bad("\(param).\(key)", "is not a confidence option (mean_logprob, min_logprob, low_logprob, max_low_share)")
                }
            }
            if let problem = thresholds.problems.first { throw Self.bad("\(param).\(problem.key)", problem.message) }
            confidence = thresholds
        case .number:
            for (key, value) in options.entries {
                guard let flag = value.boolValue else { throw Self.bad("\(param).\(key)", "must be a boolean") }
                switch key {
                case "require_marker": requireMarker = flag
                case "integer": integer = flag
                case "consistency": consistency = flag
                default: throw Self.bad("\(param).\(key)", "is not a number option (require_marker, integer, consistency)")
                }
            }
        default:
            if let key = options.keys.first { throw Self.bad("\(param).\(key)", "the \(kind.rawValue) gate takes no options; use true or false") }
        }
    }

    private static func kind(_ name: String?, param: String) throws(GatewayError) -> GateKind {
        guard let name, let kind = GateKind(rawValue: name.lowercased()) else {
            let known = GateKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw bad(param, "names an unknown gate '\(name ?? "")'; gates: \(known)")
        }
        return kind
    }

    private static func bad(_ param: String, _ message: String) -> GatewayError {
        .invalidRequest("'\(param)' \(message).", param: param, code: "invalid_value")
    }

    /// `metadata.switchyard.<key>` values (nested object wins over flat `switchyard.<key>` strings).
    static func metadataValues(_ body: JSONObject) -> [String: (JSONValue, String)] {
        guard let metadata = body["metadata"]?.objectValue else { return [:] }
        var result: [String: (JSONValue, String)] = [:]
        for (key, value) in metadata.entries where key.hasPrefix("switchyard.") && value != .null {
            let name = String(key.dropFirst("switchyard.".count))
            if metadataKeys.contains(name) { result[name] = (value, "metadata.\(key)") }
        }
        if let nested = metadata["switchyard"]?.objectValue {
            for (key, value) in nested.entries where metadataKeys.contains(key) && value != .null {
                result[key] = (value, "metadata.switchyard.\(key)")
            }
        }
        return result
    }
}
