import Foundation
import SwitchyardCore

/// Rows of a `routing.jsonl` file (the format of `../shared/data/*/routing.jsonl`): one JSON
/// object per line with `prompt`, `outcomes` {model: score in [0, 1]} and optional `id`,
/// `category`, `split` ("train"/"test") and `contaminated`. Only what training needs is read.
public struct RoutingDataset: Sendable {
    public struct Row: Sendable, Hashable {
        public var id: String
        public var prompt: String
        public var category: String?
        /// Score per model in [0, 1] (1 = correct).
        public var outcomes: [String: Double]
        public var split: String?
        public var contaminated: Bool

        public init(id: String, prompt: String, category: String? = nil, outcomes: [String: Double], split: String? = nil, contaminated: Bool = false) {
            self.id = id
            self.prompt = prompt
            self.category = category
            self.outcomes = outcomes
            self.split = split
            self.contaminated = contaminated
        }
    }

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// Reads `path`; a malformed line is an error naming its line number.
    public init(path: String) throws(EmbeddingError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        var rows: [Row] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(line) } catch {
                throw .invalidFile(path: path, reason: "line \(number + 1): not valid JSON (\(error))")
            }
            guard let prompt = value["prompt"]?.stringValue else { throw .invalidFile(path: path, reason: "line \(number + 1): 'prompt' must be a string") }
            guard let outcomeObject = value["outcomes"]?.objectValue else {
                throw .invalidFile(path: path, reason: "line \(number + 1): 'outcomes' must be an object of model → score")
            }
            var outcomes: [String: Double] = [:]
            for (model, score) in outcomeObject.entries {
                if let number = score.doubleValue { outcomes[model] = number }
            }
            rows.append(Row(
                id: value["id"]?.stringValue ?? "line-\(number + 1)", prompt: prompt, category: value["category"]?.stringValue,
                outcomes: outcomes, split: value["split"]?.stringValue, contaminated: value["contaminated"]?.boolValue ?? false))
        }
        self.rows = rows
    }

    /// Model names that appear in any row's outcomes, sorted.
    public var models: [String] { Array(Set(rows.flatMap(\.outcomes.keys))).sorted() }

    /// Splits into (train, held-out): by the `split` field when rows have one (`train` vs the
    /// rest), else deterministically by a hash of the id (about half each).
    public func trainTestSplit() -> (train: [Row], test: [Row]) {
        if rows.contains(where: { $0.split != nil }) {
            return (rows.filter { $0.split == "train" }, rows.filter { $0.split != "train" })
        }
        return (rows.filter { Self.stableHash($0.id) % 2 == 0 }, rows.filter { Self.stableHash($0.id) % 2 == 1 })
    }

    /// FNV-1a over the UTF-8 bytes (stable across runs and platforms, unlike `hashValue`).
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
