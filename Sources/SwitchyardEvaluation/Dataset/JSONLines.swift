import Foundation
import SwitchyardCore

/// JSONL as the evaluation tools read it: the file's bytes, then one JSON value per non-blank
/// line, with errors that name the file and line.
enum JSONLines {
    /// The bytes of the file at `path`.
    static func contents(of path: String) throws(EvaluationError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        return Array(data)
    }

    /// Each non-blank line of `bytes` parsed as JSON, with its 1-based line number; `file` names
    /// the bytes in errors.
    static func values(in bytes: [UInt8], file: String) throws(EvaluationError) -> [(line: Int, value: JSONValue)] {
        var values: [(line: Int, value: JSONValue)] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            do {
                values.append((lineNumber, try JSONParser.parse(line)))
            } catch {
                throw .invalidLine(file: file, line: lineNumber, reason: "invalid JSON: \(error.description)")
            }
        }
        return values
    }
}
