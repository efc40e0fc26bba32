import Foundation

/// A configured regular expression, compiled once.
struct CompiledRegex: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as thread-safe.
    let expression: NSRegularExpression
    let source: String

    init?(_ source: String) {
        guard let expression = try? NSRegularExpression(pattern: source, options: [.caseInsensitive]) else { return nil }
        self.expression = expression
        self.source = source
    }

    /// Whether `text` contains a match.
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, options: [], range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Whether `source` compiles; the error text if not (for configuration validation).
    public static func validate(_ source: String) -> String? {
        do {
            _ = try NSRegularExpression(pattern: source, options: [.caseInsensitive])
            return nil
        } catch {
            return "\(error.localizedDescription)"
        }
    }
}

extension RoutingConfiguration {
    /// Why `pattern` is not a valid rule regex, or `nil` if it compiles.
    public static func regexError(_ pattern: String) -> String? {
        CompiledRegex.validate(pattern)
    }
}
