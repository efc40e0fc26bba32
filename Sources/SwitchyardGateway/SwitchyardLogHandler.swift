import Foundation
import Logging
import Synchronization
import SwitchyardCore

/// How log lines are written.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-23T07:00:00Z info switchyard: message key=value`
    case text
    /// One JSON object per line: `ts`, `level`, `logger`, `message`, `decision_id` and metadata.
    case json
}

/// Removes credentials from log text: `Bearer …` tokens, `sk-…`/`sy-…` keys and any configured
/// secret (provider API keys, the admin key), wherever they appear in a message or metadata.
public struct SecretRedactor: Sendable {
    private let secrets: [String]

    /// - Parameter secrets: Exact values to hide (shorter than 6 characters are ignored).
    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 6 }.sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: "[redacted]")
        }
        guard result.contains("Bearer") || result.contains("sk-") || result.contains("sy-") || result.contains("bearer") else { return result }
        for pattern in Self.patterns {
            result = pattern.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "$1[redacted]")
        }
        return result
    }

    private static let patterns: [NSRegularExpression] = [
        try! NSRegularExpression(pattern: #"((?i:bearer)\s+)[A-Za-z0-9._~+/=-]+"#),
        try! NSRegularExpression(pattern: #"(\b(?:sk|sy)-)[A-Za-z0-9_-]{6,}"#),
    ]
}

/// The gateway's log handler: text or JSON lines on standard error, with secrets redacted.
/// Hummingbird's request id (`hb.request.id`, the decision id) is written as `decision_id`.
public struct SwitchyardLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LogFormat
    private let redactor: SecretRedactor
    private let sink: @Sendable (String) -> Void

    /// - Parameter sink: Receives each finished line (with its newline); standard error by default.
    public init(label: String, format: LogFormat, redactor: SecretRedactor, sink: @escaping @Sendable (String) -> Void = Self.standardError) {
        self.label = label
        self.format = format
        self.redactor = redactor
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let timestamp = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        let message = redactor.redact(event.message.description)
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(redactor.redact($0.value.description))" }
            sink("\(timestamp) \(event.level) \(label): \(message)" + (fields.isEmpty ? "" : " " + fields.joined(separator: " ")) + "\n")
        case .json:
            var object = JSONObject([
                ("ts", .string(timestamp)), ("level", .string(event.level.rawValue)), ("logger", .string(label)), ("message", .string(message)),
            ])
            if let id = merged.removeValue(forKey: "hb.request.id") { object["decision_id"] = .string(id.description) }
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) where object[key] == nil {
                object[key] = .string(redactor.redact(value.description))
            }
            sink(JSONWriter.string(.object(object)) + "\n")
        }
    }

    private static let errorLock = Mutex(())

    /// Writes `line` to standard error, one line at a time.
    public static let standardError: @Sendable (String) -> Void = { line in
        errorLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}
