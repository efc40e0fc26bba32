/// `label`: a classification answer must be exactly one of the allowed labels, compared
/// case-insensitively after trimming whitespace, quotes, backticks, `*` and a trailing period.
enum LabelGate {
    static func evaluate(content: String, labels: [String]) -> GateResult {
        let answer = normalize(content)
        let allowed = labels.map { normalize($0) }
        let list = labels.joined(separator: ", ")
        if let index = allowed.firstIndex(of: answer) {
            return .pass(.label, "the answer is the label '\(labels[index])'", details: ["label": .string(labels[index])])
        }
        // "Label: positive" or a label alone on the first line.
        let firstLine = content.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        var candidate = normalize(firstLine)
        if let colon = candidate.lastIndex(of: ":") { candidate = normalize(String(candidate[candidate.index(after: colon)...])) }
        if let index = allowed.firstIndex(of: candidate) {
            return .pass(.label, "the answer starts with the label '\(labels[index])'", details: ["label": .string(labels[index])])
        }
        let shown = answer.count > 40 ? String(answer.prefix(37)) + "..." : answer
        return .fail(.label, "the answer '\(shown)' is not one of the allowed labels: \(list)", details: ["allowed": .array(labels.map { .string($0) })])
    }

    static func normalize(_ text: String) -> String {
        let strip: Set<Character> = [" ", "\t", "\n", "\r", "\"", "'", "`", "*", ".", "“", "”", "‘", "’"]
        var slice = Substring(text)
        while let first = slice.first, strip.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, strip.contains(last) { slice = slice.dropLast() }
        return slice.lowercased()
    }
}
