/// How two answers to the same prompt are judged to agree.
public enum AgreementMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Equal after ``AnswerComparison/normalize(_:)``.
    case exact
    /// Equal as JSON values (key order, spacing and number spelling ignored); unparseable never agrees.
    case json
    /// Cosine similarity of their embeddings at or above the threshold (equal normalised text
    /// agrees without asking).
    case embedding
    /// `json` when both answers parse as JSON objects or arrays, else `exact`.
    case auto
}

/// Which rule decided one pair (``AgreementMode/auto`` resolves to `json` or `exact` per pair).
public enum AgreementMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case exact, json, embedding
}

/// Pure comparisons of two answers.
public enum AnswerComparison {
    /// Lower-cased, whitespace runs collapsed to one space, trimmed, and trailing punctuation
    /// (`.`, `!`, `?`, `,`, `;`, `:`) and surrounding quotes removed: `"Positive."` → `positive`.
    public static func normalize(_ text: String) -> String {
        var words = text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        let quotes: Set<Character> = ["\"", "'", "`", "“", "”", "‘", "’"]
        let trailing: Set<Character> = [".", "!", "?", ",", ";", ":", "。"]
        var changed = true
        while changed, !words.isEmpty {
            changed = false
            if let last = words.last, trailing.contains(last) || quotes.contains(last) {
                words.removeLast()
                changed = true
            }
            if let first = words.first, quotes.contains(first) {
                words.removeFirst()
                changed = true
            }
            while words.last == " " { words.removeLast() }
            while words.first == " " { words.removeFirst() }
        }
        return words
    }

    /// The answer as a JSON object or array, if it is one (a ```` ```json ```` fence is allowed).
    public static func json(_ text: String) -> JSONValue? {
        var body = Substring(text).trimmingWhitespace()
        if body.hasPrefix("```") {
            body = body.dropFirst(3).drop(while: { $0 != "\n" && !$0.isWhitespace })
            guard body.hasSuffix("```") else { return nil }
            body = body.dropLast(3).trimmingWhitespace()
        }
        guard body.first == "{" || body.first == "[", let value = try? JSONParser.parse(String(body)) else { return nil }
        return value
    }

    /// JSON equality: objects compare as sets of members, numbers by value (`1` = `1.0`).
    public static func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.entries.allSatisfy { entry in y[entry.key].map { jsonEqual(entry.value, $0) } ?? false }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case (.int, .double), (.double, .int), (.int, .int), (.double, .double):
            return a.doubleValue == b.doubleValue
        default:
            return a == b
        }
    }

    /// The metric that decides a pair under `mode`, and — when it can be decided without
    /// embeddings — whether the pair agrees.
    public static func judge(_ a: String, _ b: String, mode: AgreementMode) -> (metric: AgreementMetric, agrees: Bool?) {
        switch mode {
        case .exact:
            return (.exact, normalize(a) == normalize(b))
        case .json:
            guard let x = json(a), let y = json(b) else { return (.json, false) }
            return (.json, jsonEqual(x, y))
        case .auto:
            if let x = json(a), let y = json(b) { return (.json, jsonEqual(x, y)) }
            return (.exact, normalize(a) == normalize(b))
        case .embedding:
            return (.embedding, normalize(a) == normalize(b) ? true : nil)
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return self[start...end]
    }
}
