import Foundation
import SwitchyardCore

/// One labelled example prompt.
public struct Exemplar: Sendable, Hashable {
    public var text: String
    /// A task of the routing taxonomy (e.g. `code`, `summarize`).
    public var task: String
    /// How hard the prompt is, in [0, 1], if known (given directly or derived from `tier`).
    public var complexity: Double?
    /// The tier the prompt needs, if the file names one.
    public var tier: String?

    public init(text: String, task: String, complexity: Double? = nil, tier: String? = nil) {
        self.text = text
        self.task = task
        self.complexity = complexity
        self.tier = tier
    }
}

/// Labelled exemplars read from a file, for ``ExemplarClassifier``.
///
/// Two layouts are accepted (chosen by the first non-blank character):
///
/// **JSONL** — one exemplar per line; blank lines and lines starting with `#` or `//` are skipped:
/// ```
/// {"text": "Fix the null pointer exception in this Java method", "task": "code", "complexity": 0.6}
/// {"text": "hi there!", "task": "chat", "tier": "light"}
/// ```
///
/// **JSON** — an object with the exemplars and, optionally, the tier order used to turn a
/// `tier` into a complexity:
/// ```
/// {"tiers": ["light", "mid", "premium"],
///  "exemplars": [{"text": "…", "task": "reason", "tier": "premium"}, …]}
/// ```
///
/// Fields of an exemplar: `text` (string, required, non-empty), `task` (string, required),
/// `complexity` (number in [0, 1], optional), `tier` (string, optional). When `complexity` is
/// absent and `tier` is one of the `tiers` (file or caller), complexity = rank / (tiers − 1), so the
/// cheapest tier is 0 and the top tier 1. An unknown tier is an error.
public struct ExemplarSet: Sendable, Hashable {
    public var exemplars: [Exemplar]
    /// Tier names cheapest first, if known.
    public var tiers: [String]

    public init(exemplars: [Exemplar], tiers: [String] = []) {
        self.exemplars = exemplars
        self.tiers = tiers
    }

    /// Reads `path` (JSONL or JSON, see the type's documentation). `tiers` is used when the file
    /// does not list its own.
    public init(path: String, tiers: [String] = []) throws(EmbeddingError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        try self.init(bytes: [UInt8](data), path: path, tiers: tiers)
    }

    /// Parses file bytes; `path` is used in error messages.
    public init(bytes: [UInt8], path: String, tiers: [String] = []) throws(EmbeddingError) {
        let firstSignificant = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        var items: [(value: JSONValue, place: String)] = []
        var tierOrder = tiers
        if firstSignificant == UInt8(ascii: "{"), let whole = try? JSONParser.parse(bytes), whole["exemplars"] != nil {
            guard let list = whole["exemplars"]?.arrayValue else { throw .invalidFile(path: path, reason: "'exemplars' must be an array") }
            if let names = whole["tiers"] {
                guard let array = names.arrayValue, array.allSatisfy({ $0.stringValue != nil }) else {
                    throw .invalidFile(path: path, reason: "'tiers' must be an array of strings")
                }
                tierOrder = array.compactMap(\.stringValue)
            }
            items = list.enumerated().map { ($1, "exemplars[\($0)]") }
        } else {
            for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
                let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if text.isEmpty || text.hasPrefix("#") || text.hasPrefix("//") { continue }
                do {
                    items.append((try JSONParser.parse(text), "line \(number + 1)"))
                } catch {
                    throw .invalidFile(path: path, reason: "line \(number + 1): not valid JSON (\(error))")
                }
            }
        }
        var exemplars: [Exemplar] = []
        for (value, place) in items {
            guard value.objectValue != nil else { throw .invalidFile(path: path, reason: "\(place): expected an object") }
            guard let text = value["text"]?.stringValue, !text.isEmpty else {
                throw .invalidFile(path: path, reason: "\(place): 'text' must be a non-empty string")
            }
            guard let task = value["task"]?.stringValue, !task.isEmpty else {
                throw .invalidFile(path: path, reason: "\(place): 'task' must be a non-empty string")
            }
            var complexity: Double?
            if let raw = value["complexity"], raw != .null {
                guard let number = raw.doubleValue, number >= 0, number <= 1 else {
                    throw .invalidFile(path: path, reason: "\(place): 'complexity' must be a number in [0, 1]")
                }
                complexity = number
            }
            var tier: String?
            if let raw = value["tier"], raw != .null {
                guard let name = raw.stringValue else { throw .invalidFile(path: path, reason: "\(place): 'tier' must be a string") }
                tier = name
                if complexity == nil, !tierOrder.isEmpty {
                    guard let rank = tierOrder.firstIndex(of: name) else {
                        throw .invalidFile(path: path, reason: "\(place): tier '\(name)' is not one of \(tierOrder.joined(separator: ", "))")
                    }
                    complexity = tierOrder.count > 1 ? Double(rank) / Double(tierOrder.count - 1) : 0
                }
            }
            exemplars.append(Exemplar(text: text, task: task, complexity: complexity, tier: tier))
        }
        guard !exemplars.isEmpty else { throw .invalidFile(path: path, reason: "no exemplars") }
        self.init(exemplars: exemplars, tiers: tierOrder)
    }
}
