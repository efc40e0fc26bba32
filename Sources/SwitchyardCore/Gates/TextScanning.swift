import Foundation

/// A regular expression compiled once and shared across threads.
struct GateRegex: @unchecked Sendable, Hashable {
    // NSRegularExpression is immutable and documented as thread-safe.
    let expression: NSRegularExpression
    let source: String

    /// Compiles `source` (ICU syntax); throws the compiler's message.
    init(_ source: String, caseInsensitive: Bool = false) throws(GateRegexError) {
        do {
            expression = try NSRegularExpression(pattern: source, options: caseInsensitive ? [.caseInsensitive] : [])
        } catch {
            throw GateRegexError(pattern: source, message: error.localizedDescription)
        }
        self.source = source
    }

    /// Whether `text` contains a match.
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, options: [], range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func == (lhs: GateRegex, rhs: GateRegex) -> Bool { lhs.source == rhs.source }
    func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// A pattern that does not compile.
public struct GateRegexError: Error, Sendable, Hashable {
    public var pattern: String
    public var message: String
}

/// Answer text folded for phrase matching: ASCII lower-cased, curly apostrophes and quotes made
/// straight, runs of whitespace collapsed to one space. Built in one pass over the UTF-8 bytes.
struct FoldedText {
    let bytes: [UInt8]

    init(_ text: Substring.UTF8View, limit: Int = .max) {
        var out: [UInt8] = []
        out.reserveCapacity(min(text.count, limit))
        var iterator = text.makeIterator()
        var lastWasSpace = false
        var characters = 0
        while characters < limit, let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out.append(byte | 0x20)
                lastWasSpace = false
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                if !lastWasSpace { out.append(UInt8(ascii: " ")) }
                lastWasSpace = true
            case 0xE2:
                // U+2018/2019 (‘ ’) → ', U+201C/201D (“ ”) → "
                guard let second = iterator.next() else { out.append(byte); break }
                guard let third = iterator.next() else { out.append(byte); out.append(second); break }
                if second == 0x80, third == 0x98 || third == 0x99 {
                    out.append(UInt8(ascii: "'"))
                } else if second == 0x80, third == 0x9C || third == 0x9D {
                    out.append(UInt8(ascii: "\""))
                } else {
                    out.append(contentsOf: [byte, second, third])
                }
                lastWasSpace = false
            default:
                out.append(byte)
                lastWasSpace = false
            }
            if byte & 0xC0 != 0x80 { characters += 1 }
        }
        bytes = out
    }

    init(_ text: String, limit: Int = .max) {
        self.init(text[...].utf8, limit: limit)
    }
}

/// A list of phrases matched case-insensitively against ``FoldedText``; prepared once.
struct PhraseList: Sendable, Hashable {
    let phrases: [String]
    private let folded: [[UInt8]]

    init(_ phrases: [String]) {
        self.phrases = phrases
        self.folded = phrases.map { FoldedText($0).bytes }.filter { !$0.isEmpty }
    }

    var isEmpty: Bool { folded.isEmpty }

    /// The first phrase contained in `text`, if any.
    func firstMatch(in text: FoldedText) -> String? {
        guard !folded.isEmpty, !text.bytes.isEmpty else { return nil }
        for (index, phrase) in folded.enumerated() where Self.contains(text.bytes, phrase) {
            return phrases[index]
        }
        return nil
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return false }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var index = 0
                let last = hay.count - pin.count
                while index <= last {
                    if hay[index] == first {
                        var k = 1
                        while k < pin.count && hay[index + k] == pin[k] { k += 1 }
                        if k == pin.count { return true }
                    }
                    index += 1
                }
                return false
            }
        }
    }
}
