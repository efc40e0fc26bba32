/// Why an evaluation or simulation could not run, with enough context to fix the input.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file could not be read at all.
    case unreadableFile(path: String, reason: String)
    /// One line of a JSONL file (1-based) is malformed.
    case invalidLine(file: String, line: Int, reason: String)
    /// A whole-file JSON document (such as `prices.json`) is malformed.
    case invalidFile(path: String, reason: String)
    /// A model named on the command line or in a mix does not occur in the data.
    case unknownModel(String, available: [String])
    /// Nothing left to evaluate after filtering and splitting.
    case noRecords(String)
    /// A parameter is out of range or inconsistent.
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): return "\(path): cannot read the file: \(reason)"
        case .invalidLine(let file, let line, let reason): return "\(file):\(line): \(reason)"
        case .invalidFile(let path, let reason): return "\(path): \(reason)"
        case .unknownModel(let model, let available):
            return "unknown model '\(model)'; the data has: \(available.joined(separator: ", "))"
        case .noRecords(let reason): return "nothing to evaluate: \(reason)"
        case .invalidParameter(let reason): return reason
        }
    }
}
