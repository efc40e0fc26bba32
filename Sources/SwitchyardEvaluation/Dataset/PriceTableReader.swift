import Foundation
import SwitchyardCore

/// Reads a dataset's `prices.json`: `{"models": {NAME: {"input": USD/1M, "output": USD/1M}}}`;
/// other keys (currency, notes, sources) are ignored.
public struct PriceTableReader: Sendable {
    public init() {}

    /// Reads the file at `path`; errors name the file and the offending key.
    public func read(path: String) throws(EvaluationError) -> PriceTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        return try parse(Array(data), file: path)
    }

    /// Parses `prices.json` bytes; `file` names them in errors.
    public func parse(_ bytes: [UInt8], file: String) throws(EvaluationError) -> PriceTable {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .invalidFile(path: file, reason: "invalid JSON: \(error.description)")
        }
        if let unit = document["unit"]?.stringValue, !unit.lowercased().contains("1m") {
            throw .invalidFile(path: file, reason: "unit: only prices per 1M tokens are supported, got \"\(unit)\"")
        }
        guard let models = document["models"]?.objectValue else {
            throw .invalidFile(path: file, reason: "models: expected an object {model: {input, output}}")
        }
        var prices: [String: ModelPrice] = [:]
        for (model, entry) in models.entries {
            guard let input = entry["input"]?.doubleValue, input >= 0 else {
                throw .invalidFile(path: file, reason: "models.\(model).input: expected a non-negative number")
            }
            guard let output = entry["output"]?.doubleValue, output >= 0 else {
                throw .invalidFile(path: file, reason: "models.\(model).output: expected a non-negative number")
            }
            prices[model] = ModelPrice(inputPerMillion: input, outputPerMillion: output)
        }
        return PriceTable(prices: prices)
    }
}
