import Foundation
import SwitchyardCore
import Yams

/// Loads `switchyard.yaml` into a validated ``GatewayConfiguration``.
///
/// Every problem in the file is reported at once, each with file, line, column and key path.
public struct ConfigLoader: Sendable {
    /// Values for `${NAME}` references.
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Reads and validates the file at `path`.
    public func load(path: String) throws(ConfigurationError) -> GatewayConfiguration {
        try parse(yaml: YAMLDocument.contents(ofFile: path), file: path)
    }

    /// Parses and validates configuration text; `file` names it in error messages.
    public func parse(yaml text: String, file: String) throws(ConfigurationError) -> GatewayConfiguration {
        try YAMLDocument(environment: environment).read(yaml: text, file: file) { document, reader in
            GatewayConfigurationReader(document: document, reader: reader).read()
        }
    }
}

/// Reads one YAML document with a caller-supplied section reader, collecting every problem.
///
/// Used for `switchyard.yaml` and for the other YAML files the tools read (mock profiles,
/// traffic mixes), so they all report mistakes the same way.
public struct YAMLDocument: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Reads the file at `path` with `body`.
    public func read<Value>(path: String, _ body: (MappingReader) -> Value?) throws(ConfigurationError) -> Value {
        try read(yaml: Self.contents(ofFile: path), file: path) { document, _ in body(document) }
    }

    /// The text of the file at `path`, or an issue naming the file.
    static func contents(ofFile path: String) throws(ConfigurationError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(issues: [
                ConfigIssue(file: path, line: nil, column: nil, path: "", message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
    }

    /// Reads `text` with `body`; unknown top-level keys are reported after `body` ran.
    func read<Value>(yaml text: String, file: String, _ body: (MappingReader, YAMLReader) -> Value?) throws(ConfigurationError) -> Value {
        let log = IssueLog(file: file)
        let reader = YAMLReader(log: log, interpolation: EnvironmentInterpolation(environment: environment))
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationError(issues: [ConfigIssue(file: file, line: nil, column: nil, path: "", message: "the file is empty")])
            }
            root = node
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(issues: [Self.issue(fromYAMLError: error, file: file)])
        }
        guard let document = reader.mapping(root, path: "") else { throw ConfigurationError(issues: log.issues) }
        let value = body(document, reader)
        document.rejectUnknownKeys()
        if let value, log.issues.isEmpty {
            return value
        }
        throw ConfigurationError(issues: log.issues.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) })
    }

    /// Reads YAML text with `body`; `file` names it in error messages.
    public func read<Value>(yaml text: String, file: String, _ body: (MappingReader) -> Value?) throws(ConfigurationError) -> Value {
        try read(yaml: text, file: file) { document, _ in body(document) }
    }

    static func issue(fromYAMLError error: any Error, file: String) -> ConfigIssue {
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return ConfigIssue(file: file, line: mark.line, column: mark.column, path: "", message: "invalid YAML: \(detail)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ConfigIssue(
                file: file, line: context.mark.line, column: context.mark.column, path: "",
                message: "duplicate key \(keys) (first defined here)")
        default:
            return ConfigIssue(file: file, line: nil, column: nil, path: "", message: "invalid YAML: \(error)")
        }
    }
}
