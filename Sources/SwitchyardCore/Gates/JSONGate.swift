/// What a request asks of the answer's JSON: from `response_format`.
public enum JSONOutputRequirement: Sendable {
    /// No JSON output requested.
    case none
    /// `response_format: {type: json_object}`: the answer must parse.
    case object
    /// `response_format: {type: json_schema, json_schema: {schema}}`: the answer must parse and validate.
    case schema(name: String?, JSONSchema)

    /// Reads `response_format`; a malformed schema is a 400 naming the field.
    public init(request: ChatCompletionRequest) throws(GatewayError) {
        guard let format = request.body["response_format"], format != .null else {
            self = .none
            return
        }
        guard let object = format.objectValue else {
            throw .invalidRequest("'response_format' must be an object, got \(format.typeName).", param: "response_format", code: "invalid_type")
        }
        switch object["type"]?.stringValue {
        case "json_object"?: self = .object
        case "json_schema"?:
            guard let schemaValue = object["json_schema"]?["schema"] else {
                self = .object
                return
            }
            do {
                self = .schema(name: object["json_schema"]?["name"]?.stringValue, try JSONSchema(schemaValue))
            } catch {
                let param = "response_format.json_schema.schema" + (error.path.isEmpty ? "" : ".\(error.path)")
                throw .invalidRequest("'\(param)': \(error.message).", param: param, code: "invalid_json_schema")
            }
        default: self = .none
        }
    }

    /// Whether the request asks for JSON output at all.
    public var isRequested: Bool {
        if case .none = self { return false }
        return true
    }
}

/// `json`: the answer parses as JSON and, when a schema is given, validates against it.
enum JSONGate {
    static func evaluate(content: String, requirement: JSONOutputRequirement) -> GateResult {
        let value: JSONValue
        do {
            value = try JSONParser.parse(content)
        } catch {
            var reason = "the answer is not valid JSON: \(error)"
            if content.drop(while: \.isWhitespace).hasPrefix("```") { reason += " (it is wrapped in a Markdown code fence)" }
            return .fail(.json, reason, details: ["stage": "parse"])
        }
        guard case .schema(let name, let schema) = requirement else {
            return .pass(.json, "the answer is valid JSON", details: ["stage": "parse"])
        }
        let violations = schema.validate(value, limit: 5)
        let label = name.map { "schema '\($0)'" } ?? "the schema"
        guard !violations.isEmpty else { return .pass(.json, "the answer is valid JSON and matches \(label)", details: ["stage": "schema"]) }
        let list = violations.map(\.description)
        return .fail(
            .json, "the answer does not match \(label): " + list.joined(separator: "; "),
            details: ["stage": "schema", "errors": .array(list.map { .string($0) })])
    }

    /// The user message for a one-shot repair: the validation error and a request for corrected JSON only.
    static func repairInstruction(for failure: GateResult) -> String {
        "Your previous answer was rejected: \(failure.reason). Reply again with only the corrected JSON — no explanation and no Markdown code fence."
    }
}
