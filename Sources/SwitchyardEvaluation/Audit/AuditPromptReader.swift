import Foundation
import SwitchyardCore

/// Reads an audit prompt file: JSONL, one object per line with a string `type` and `prompt` and
/// optional `system`, `max_tokens`, `temperature` and `response_format`. Blank lines are skipped;
/// any problem is reported as `file:line: field …`.
public struct AuditPromptReader: Sendable {
    /// The fields a line may have.
    public static let fields = ["type", "prompt", "system", "max_tokens", "temperature", "response_format"]

    public init() {}

    /// Reads the file at `path`; at least one prompt is required.
    public func read(path: String) throws(EvaluationError) -> [AuditPrompt] {
        try parse(JSONLines.contents(of: path), file: path)
    }

    /// Parses JSONL bytes; `file` names them in errors.
    public func parse(_ bytes: [UInt8], file: String) throws(EvaluationError) -> [AuditPrompt] {
        var prompts: [AuditPrompt] = []
        for (line, value) in try JSONLines.values(in: bytes, file: file) {
            prompts.append(try prompt(from: value, file: file, line: line))
        }
        guard !prompts.isEmpty else { throw .invalidFile(path: file, reason: "no prompts (expected JSONL lines with 'type' and 'prompt')") }
        return prompts
    }

    func prompt(from value: JSONValue, file: String, line: Int) throws(EvaluationError) -> AuditPrompt {
        func fail(_ field: String, _ reason: String) -> EvaluationError { .invalidLine(file: file, line: line, reason: "field '\(field)': \(reason)") }
        guard let object = value.objectValue else {
            throw .invalidLine(file: file, line: line, reason: "expected a JSON object, got \(value.typeName)")
        }
        if let unknown = object.keys.first(where: { !Self.fields.contains($0) }) {
            throw fail(unknown, "unknown field (expected \(Self.fields.joined(separator: ", ")))")
        }
        func string(_ field: String, required: Bool) throws(EvaluationError) -> String? {
            guard let value = object[field], value != .null else {
                if required { throw fail(field, "missing (a non-empty string is required)") }
                return nil
            }
            guard let text = value.stringValue else { throw fail(field, "expected a string, got \(value.typeName)") }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw fail(field, "must not be empty") }
            return text
        }
        var prompt = AuditPrompt(type: try string("type", required: true)!, prompt: try string("prompt", required: true)!, line: line)
        prompt.system = try string("system", required: false)
        if let value = object["max_tokens"], value != .null {
            guard let tokens = value.intValue, tokens >= 1 else { throw fail("max_tokens", "expected a positive integer, got \(JSONWriter.string(value))") }
            prompt.maxTokens = tokens
        }
        if let value = object["temperature"], value != .null {
            guard let temperature = value.doubleValue, (0...2).contains(temperature) else {
                throw fail("temperature", "expected a number between 0 and 2, got \(JSONWriter.string(value))")
            }
            prompt.temperature = temperature
        }
        if let value = object["response_format"], value != .null {
            guard value["type"]?.stringValue != nil else { throw fail("response_format", "expected an object with a string 'type', e.g. {\"type\": \"json_object\"}") }
            prompt.responseFormat = value
        }
        return prompt
    }
}
