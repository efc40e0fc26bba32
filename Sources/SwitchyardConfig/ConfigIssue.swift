/// One problem found in a configuration file, located by line, column and key path.
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    /// The file the problem is in (as given to the loader).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// Key path such as `models[2].price.input`; empty for the document itself.
    public var path: String
    /// What is wrong, for a person.
    public var message: String

    public init(file: String, line: Int?, column: Int?, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: path: message`, the form compilers use so editors can jump to it.
    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// A configuration that could not be loaded, with every problem found (not just the first).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) {
        self.issues = issues
    }

    public var description: String {
        let noun = issues.count == 1 ? "problem" : "problems"
        return (["\(issues.count) configuration \(noun):"] + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}
