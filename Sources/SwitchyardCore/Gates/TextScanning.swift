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
    /// How many of ``bytes`` come from the first `mark` code points of the text (all of them
    /// when the text is shorter), so a search can look at the text's head without a second fold.
    let markedCount: Int

    init(_ text: String, mark: Int = .max) {
        var source = text
        (bytes, markedCount) = source.withUTF8 { Self.fold($0, mark: mark) }
    }

    private static func fold(_ source: UnsafeBufferPointer<UInt8>, mark: Int) -> ([UInt8], Int) {
        var out: [UInt8] = []
        out.reserveCapacity(source.count)
        var marked: Int?
        var codePoints = 0
        var lastWasSpace = false
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte & 0xC0 != 0x80 {
                if codePoints == mark { marked = out.count }
                codePoints += 1
            }
            index += 1
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out.append(byte | 0x20)
                lastWasSpace = false
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                if !lastWasSpace { out.append(UInt8(ascii: " ")) }
                lastWasSpace = true
            case 0xE2 where index + 1 < source.count && source[index] == 0x80:
                // U+2018/2019 (‘ ’) → ', U+201C/201D (“ ”) → "; other E2 80 xx stay as they are.
                switch source[index + 1] {
                case 0x98, 0x99:
                    out.append(UInt8(ascii: "'"))
                    index += 2
                case 0x9C, 0x9D:
                    out.append(UInt8(ascii: "\""))
                    index += 2
                default:
                    out.append(byte)
                }
                lastWasSpace = false
            default:
                out.append(byte)
                lastWasSpace = false
            }
        }
        return (out, marked ?? out.count)
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

    /// The first phrase contained in `text` (in its first `prefix` bytes, if given), if any.
    func firstMatch(in text: FoldedText, prefix: Int? = nil) -> String? {
        let length = min(prefix ?? text.bytes.count, text.bytes.count)
        guard !folded.isEmpty, length > 0 else { return nil }
        return text.bytes.withUnsafeBufferPointer { hay in
            for (index, phrase) in folded.enumerated() where Self.contains(UnsafeBufferPointer(rebasing: hay[..<length]), phrase) {
                return phrases[index]
            }
            return nil
        }
    }

    /// Whether `needle` occurs in `hay`: `memchr` finds each candidate first byte.
    private static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let base = hay.baseAddress, let first = needle.first, needle.count <= hay.count else { return false }
        return needle.withUnsafeBufferPointer { pin in
            let last = hay.count - pin.count
            var index = 0
            while index <= last {
                guard let found = memchr(base + index, Int32(first), last - index + 1) else { return false }
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + index, pin.baseAddress!, pin.count) == 0 { return true }
                index += 1
            }
            return false
        }
    }
}
