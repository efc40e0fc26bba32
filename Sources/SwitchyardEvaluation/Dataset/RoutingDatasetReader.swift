import Foundation
import SwitchyardCore

/// Reads the `routing.jsonl` format of `../shared/data/`: one JSON object per line with `id`,
/// `prompt`, `category`, `outcomes` {model: score in [0, 1]} and optional `costs_usd`,
/// `input_tokens`, `output_tokens` {model: n}, `contaminated` and `split`.
public struct RoutingDatasetReader: Sendable {
    public init() {}

    /// Reads the file at `path`.
    public func read(path: String) throws(EvaluationError) -> RoutingDataset {
        try parse(JSONLines.contents(of: path), file: path)
    }

    /// Parses JSONL bytes; `file` names them in errors. Blank lines are skipped.
    public func parse(_ bytes: [UInt8], file: String) throws(EvaluationError) -> RoutingDataset {
        var records: [RoutingRecord] = []
        for (line, value) in try JSONLines.values(in: bytes, file: file) {
            records.append(try record(from: value, file: file, line: line))
        }
        return RoutingDataset(source: file, records: records)
    }

    func record(from value: JSONValue, file: String, line: Int) throws(EvaluationError) -> RoutingRecord {
        func fail(_ reason: String) -> EvaluationError { .invalidLine(file: file, line: line, reason: reason) }
        guard value.objectValue != nil else { throw fail("expected a JSON object, got \(value.typeName)") }
        guard let prompt = value["prompt"]?.stringValue else { throw fail("missing string field 'prompt'") }
        guard let outcomesObject = value["outcomes"]?.objectValue else { throw fail("missing object field 'outcomes'") }
        var outcomes: [String: Double] = [:]
        for (model, score) in outcomesObject.entries {
            if score == .null { continue }
            guard let number = score.doubleValue, number >= 0, number <= 1 else {
                throw fail("outcomes.\(model): expected a number in [0, 1], got \(score.typeName)")
            }
            outcomes[model] = number
        }
        let id = value["id"]?.stringValue ?? value["id"]?.intValue.map(String.init) ?? "line-\(line)"
        var record = RoutingRecord(id: id, prompt: prompt, category: value["category"]?.stringValue ?? "", outcomes: outcomes)
        if let costs = value["costs_usd"], costs != .null {
            record.costsUSD = try numberMap(costs, field: "costs_usd", fail: fail)
        }
        if let tokens = value["input_tokens"], tokens != .null {
            guard let count = tokens.intValue, count >= 0 else { throw fail("input_tokens: expected a non-negative integer") }
            record.inputTokens = count
        }
        if let tokens = value["output_tokens"], tokens != .null {
            let map = try numberMap(tokens, field: "output_tokens", fail: fail)
            record.outputTokens = map.mapValues { Int($0.rounded()) }
        }
        if let flag = value["contaminated"], flag != .null {
            guard let bool = flag.boolValue else { throw fail("contaminated: expected true or false") }
            record.contaminated = bool
        }
        if let split = value["split"], split != .null {
            guard let text = split.stringValue else { throw fail("split: expected a string") }
            record.split = text
        }
        return record
    }

    private func numberMap(_ value: JSONValue, field: String, fail: (String) -> EvaluationError) throws(EvaluationError) -> [String: Double] {
        guard let object = value.objectValue else { throw fail("\(field): expected an object {model: number}") }
        var map: [String: Double] = [:]
        for (model, entry) in object.entries {
            if entry == .null { continue }
            guard let number = entry.doubleValue, number >= 0 else { throw fail("\(field).\(model): expected a non-negative number") }
            map[model] = number
        }
        return map
    }
}
