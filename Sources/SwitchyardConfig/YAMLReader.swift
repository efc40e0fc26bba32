import Yams

/// Collects the problems found while reading one configuration document.
final class IssueLog {
    let file: String
    private(set) var issues: [ConfigIssue] = []

    init(file: String) {
        self.file = file
    }

    func report(_ message: String, at node: Node?, path: String) {
        issues.append(ConfigIssue(file: file, line: node?.mark?.line, column: node?.mark?.column, path: path, message: message))
    }
}

/// Reads typed values out of a YAML node tree, reporting every problem with its location and key
/// path instead of stopping at the first. Reads return `nil` after reporting; callers substitute a
/// placeholder and carry on so one run finds all mistakes.
public struct YAMLReader {
    let log: IssueLog
    let interpolation: EnvironmentInterpolation

    init(log: IssueLog, interpolation: EnvironmentInterpolation) {
        self.log = log
        self.interpolation = interpolation
    }

    func report(_ message: String, at node: Node?, path: String) {
        log.report(message, at: node, path: path)
    }

    /// The mapping at `node`, or a reported problem.
    func mapping(_ node: Node, path: String) -> MappingReader? {
        guard case .mapping(let mapping) = node else {
            report("expected a mapping (key: value pairs), got \(describe(node))", at: node, path: path)
            return nil
        }
        return MappingReader(node: node, mapping: mapping, path: path, reader: self)
    }

    /// The elements of the sequence at `node` with their paths, or a reported problem.
    func sequence(_ node: Node, path: String) -> [(node: Node, path: String)]? {
        guard case .sequence(let sequence) = node else {
            report("expected a list, got \(describe(node))", at: node, path: path)
            return nil
        }
        return sequence.enumerated().map { (node: $1, path: "\(path)[\($0)]") }
    }

    /// The scalar text at `node` after `${ENV}` interpolation.
    func scalar(_ node: Node, path: String, expected: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report("expected \(expected), got \(describe(node))", at: node, path: path)
            return nil
        }
        do {
            return try interpolation.interpolate(scalar.string)
        } catch {
            switch error {
            case .unsetVariable(let name):
                report("environment variable \(name) is not set (write ${\(name):-default} to make it optional)", at: node, path: path)
            case .invalidName(let name):
                report("'${\(name)}' is not a valid environment variable reference", at: node, path: path)
            case .unterminatedReference:
                report("'${' without a closing '}'", at: node, path: path)
            }
        }
        return nil
    }

    func string(_ node: Node, path: String) -> String? {
        scalar(node, path: path, expected: "a string")
    }

    func int(_ node: Node, path: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let text = scalar(node, path: path, expected: "an integer") else { return nil }
        guard let value = Int(text.replacingUnderscores) else {
            report("expected an integer, got \(quoted(text))", at: node, path: path)
            return nil
        }
        if let range, !range.contains(value) {
            report("must be between \(range.lowerBound) and \(range.upperBound), got \(value)", at: node, path: path)
            return nil
        }
        return value
    }

    func double(_ node: Node, path: String, minimum: Double? = nil) -> Double? {
        guard let text = scalar(node, path: path, expected: "a number") else { return nil }
        guard let value = Double(text.replacingUnderscores), value.isFinite else {
            report("expected a number, got \(quoted(text))", at: node, path: path)
            return nil
        }
        if let minimum, value < minimum {
            report("must be at least \(minimum), got \(value)", at: node, path: path)
            return nil
        }
        return value
    }

    func bool(_ node: Node, path: String) -> Bool? {
        guard let text = scalar(node, path: path, expected: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report("expected true or false, got \(quoted(text))", at: node, path: path)
            return nil
        }
    }

    /// A duration: `250ms`, `30s`, `5m`, `1h`, or a bare number of seconds; zero only if `allowZero`.
    func duration(_ node: Node, path: String, allowZero: Bool = false) -> Duration? {
        guard let text = scalar(node, path: path, expected: "a duration") else { return nil }
        if let duration = parseDuration(text), duration > .zero || (allowZero && duration == .zero) { return duration }
        let kind = allowZero ? "a duration" : "a positive duration"
        report("expected \(kind) such as 250ms, 30s, 5m or 1h, got \(quoted(text))", at: node, path: path)
        return nil
    }

    /// A byte size: an integer, or a number with KB, MB, GB, KiB, MiB or GiB.
    func byteSize(_ node: Node, path: String) -> Int? {
        guard let text = scalar(node, path: path, expected: "a size") else { return nil }
        if let size = parseByteSize(text), size > 0 { return size }
        report("expected a positive size such as 1048576, 512KiB or 16MiB, got \(quoted(text))", at: node, path: path)
        return nil
    }

    /// One of a fixed set of words.
    func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, path: String, as type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = scalar(node, path: path, expected: "a string") else { return nil }
        if let value = Choice(rawValue: text) { return value }
        let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        report("must be one of \(allowed); got \(quoted(text))", at: node, path: path)
        return nil
    }

    func stringList(_ node: Node, path: String) -> [String]? {
        guard let elements = sequence(node, path: path) else { return nil }
        return elements.compactMap { string($0.node, path: $0.path) }
    }
}

/// Reads the keys of one YAML mapping; remembers which keys were read so the rest can be
/// reported as unknown, with a suggestion for likely typos.
public final class MappingReader {
    let node: Node
    let mapping: Node.Mapping
    /// Key path of this mapping.
    public let path: String
    let reader: YAMLReader
    private var consumed: Set<String> = []

    init(node: Node, mapping: Node.Mapping, path: String, reader: YAMLReader) {
        self.node = node
        self.mapping = mapping
        self.path = path
        self.reader = reader
    }

    /// The value node of `key`, marking it as read.
    func value(_ key: String) -> Node? {
        consumed.insert(key)
        return mapping[key]
    }

    /// Whether the mapping has `key`.
    public func has(_ key: String) -> Bool { mapping[key] != nil }

    func childPath(_ key: String) -> String { join(path, key) }

    public func reportMissing(_ key: String, hint: String? = nil) {
        reader.report("missing required key '\(key)'" + (hint.map { " (\($0))" } ?? ""), at: node, path: path)
    }

    public func report(_ key: String, _ message: String) {
        reader.report(message, at: mapping[key] ?? node, path: childPath(key))
    }

    private func read<T>(_ key: String, required: Bool, _ body: (Node, String) -> T?) -> T? {
        guard let child = value(key) else {
            if required { reportMissing(key) }
            return nil
        }
        if case .scalar(let scalar) = child, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null",
            scalar.style == .plain
        {
            if required { reader.report("must not be empty", at: child, path: childPath(key)) }
            return nil
        }
        return body(child, childPath(key))
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        read(key, required: required) { reader.string($0, path: $1) }
    }

    public func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        read(key, required: required) { reader.int($0, path: $1, range: range) }
    }

    public func double(_ key: String, required: Bool = false, minimum: Double? = nil) -> Double? {
        read(key, required: required) { reader.double($0, path: $1, minimum: minimum) }
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        read(key, required: required) { reader.bool($0, path: $1) }
    }

    public func duration(_ key: String, required: Bool = false, allowZero: Bool = false) -> Duration? {
        read(key, required: required) { reader.duration($0, path: $1, allowZero: allowZero) }
    }

    public func byteSize(_ key: String, required: Bool = false) -> Int? {
        read(key, required: required) { reader.byteSize($0, path: $1) }
    }

    public func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, as type: Choice.Type, required: Bool = false) -> Choice?
    where Choice.RawValue == String {
        read(key, required: required) { reader.choice($0, path: $1, as: type) }
    }

    public func stringList(_ key: String, required: Bool = false) -> [String]? {
        read(key, required: required) { reader.stringList($0, path: $1) }
    }

    /// A list of numbers.
    public func doubleList(_ key: String, required: Bool = false) -> [Double]? {
        read(key, required: required) { node, path in
            reader.sequence(node, path: path).map { $0.compactMap { reader.double($0.node, path: $0.path) } }
        }
    }

    public func mapping(_ key: String, required: Bool = false) -> MappingReader? {
        read(key, required: required) { reader.mapping($0, path: $1) }
    }

    func sequence(_ key: String, required: Bool = false) -> [(node: Node, path: String)]? {
        read(key, required: required) { reader.sequence($0, path: $1) }
    }

    /// The mappings listed under `key` (a list of mappings), each with its own reader.
    public func mappings(_ key: String, required: Bool = false) -> [MappingReader]? {
        guard let entries = sequence(key, required: required) else { return nil }
        return entries.compactMap { reader.mapping($0.node, path: $0.path) }
    }

    /// The mapping under each key of the mapping at `key`, keyed by name, in document order.
    public func namedMappings(_ key: String) -> [(name: String, reader: MappingReader)]? {
        guard let parent = mapping(key) else { return nil }
        return parent.keyNames.compactMap { name in parent.mapping(name).map { (name: name, reader: $0) } }
    }

    /// String-to-string pairs, e.g. extra headers.
    public func stringMap(_ key: String) -> [String: String]? {
        guard let child = mapping(key) else { return nil }
        var result: [String: String] = [:]
        for name in child.keyNames {
            if let value = child.string(name) { result[name] = value }
        }
        return result
    }

    /// The key names in document order.
    public var keyNames: [String] { mapping.keys.compactMap(\.string) }

    /// Reports every key that was not read, suggesting the closest known key.
    public func rejectUnknownKeys() {
        for key in mapping.keys {
            guard let name = key.string, !consumed.contains(name) else { continue }
            var message = "unknown key '\(name)'"
            if let suggestion = closestMatch(to: name, in: consumed) {
                message += " (did you mean '\(suggestion)'?)"
            }
            reader.report(message, at: key, path: childPath(name))
        }
    }
}

func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}

func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return quoted(scalar.string)
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}

func quoted(_ text: String) -> String {
    "\"\(text.count > 60 ? String(text.prefix(57)) + "..." : text)\""
}

extension String {
    fileprivate var replacingUnderscores: String { replacing("_", with: "") }
}

/// Parses `250ms`, `30s`, `5m`, `1h` or a bare number of seconds.
public func parseDuration(_ text: String) -> Duration? {
    let trimmed = text.trimmingWhitespace
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
        guard let number = Double(trimmed.dropLast(suffix.count).trimmingWhitespace), number.isFinite, number >= 0 else { return nil }
        return .milliseconds(Int64((number * scale * 1000).rounded()))
    }
    guard let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else { return nil }
    return .milliseconds(Int64((seconds * 1000).rounded()))
}

/// Parses a byte count with an optional KB/MB/GB/KiB/MiB/GiB unit.
public func parseByteSize(_ text: String) -> Int? {
    let trimmed = text.trimmingWhitespace
    let units: [(String, Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ]
    for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
        guard let number = Double(trimmed.dropLast(suffix.count).trimmingWhitespace), number >= 0, number < 1e15 else { return nil }
        return Int(number * Double(scale))
    }
    return Int(trimmed)
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        if distance <= max(2, candidate.count / 3), distance < (best?.1 ?? .max) {
            best = (candidate, distance)
        }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
