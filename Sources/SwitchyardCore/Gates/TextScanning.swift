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
///
/// A search is one pass over the text: a bitmap of the phrases' first two bytes turns away most
/// positions with one lookup, and only phrases starting with the pair at hand are compared.
struct PhraseList: Sendable, Hashable {
    let phrases: [String]
    /// Shared by copies: a gate plan copies its gates for every request.
    private let index: Index

    init(_ phrases: [String]) {
        self.phrases = phrases
        index = Index(phrases)
    }

    var isEmpty: Bool { index.folded.isEmpty }

    /// The first phrase of the list contained in `text` (in its first `prefix` bytes, if
    /// given), if any.
    func firstMatch(in text: FoldedText, prefix: Int? = nil) -> String? {
        let length = min(prefix ?? text.bytes.count, text.bytes.count)
        guard !index.folded.isEmpty, length > 0 else { return nil }
        let best = text.bytes.withUnsafeBufferPointer { hay in
            index.firstMatch(in: UnsafeBufferPointer(rebasing: hay[..<length]))
        }
        return best.map { phrases[index.folded[$0].index] }
    }

    static func == (lhs: PhraseList, rhs: PhraseList) -> Bool { lhs.phrases == rhs.phrases }
    func hash(into hasher: inout Hasher) { hasher.combine(phrases) }

    /// The folded phrases and the tables a search uses.
    private final class Index: Sendable {
        /// The folded phrases (none empty), each with its index in the list, in list order.
        let folded: [(phrase: [UInt8], index: Int)]
        /// Bit `first << 8 | second` is set when some phrase of two bytes or more starts so.
        let pairs: [UInt64]
        /// The entries of ``folded`` (positions in it) that start with each pair in ``pairs``.
        let startingWith: [UInt16: [Int]]
        /// Bit `byte` is set when some phrase is that one byte.
        let singles: [UInt64]

        init(_ phrases: [String]) {
            folded = phrases.enumerated().compactMap { index, phrase in
                let bytes = FoldedText(phrase).bytes
                return bytes.isEmpty ? nil : (bytes, index)
            }
            var pairs = [UInt64](repeating: 0, count: 65_536 / 64)
            var singles = [UInt64](repeating: 0, count: 4)
            var startingWith: [UInt16: [Int]] = [:]
            for (position, entry) in folded.enumerated() {
                if entry.phrase.count == 1 {
                    singles[Int(entry.phrase[0]) >> 6] |= 1 << (UInt64(entry.phrase[0]) & 63)
                    continue
                }
                let pair = UInt16(entry.phrase[0]) << 8 | UInt16(entry.phrase[1])
                pairs[Int(pair) >> 6] |= 1 << (UInt64(pair) & 63)
                startingWith[pair, default: []].append(position)
            }
            self.pairs = pairs
            self.singles = singles
            self.startingWith = startingWith
        }

        /// The position in ``folded`` of the first phrase (in list order) that occurs in `hay`.
        func firstMatch(in hay: UnsafeBufferPointer<UInt8>) -> Int? {
            guard let base = hay.baseAddress else { return nil }
            var best = Int.max
            var previous = UInt16(0)
            for offset in 0..<hay.count {
                let byte = hay[offset]
                if singles[Int(byte) >> 6] & (1 << (UInt64(byte) & 63)) != 0, let position = singlePosition(byte), position < best {
                    best = position
                }
                if offset > 0 {
                    let pair = previous << 8 | UInt16(byte)
                    if pairs[Int(pair) >> 6] & (1 << (UInt64(pair) & 63)) != 0 {
                        let start = offset - 1
                        for position in startingWith[pair, default: []] {
                            // Positions ascend: nothing later in the list can beat the best so far.
                            guard position < best else { break }
                            let phrase = folded[position].phrase
                            guard phrase.count <= hay.count - start else { continue }
                            if phrase.withUnsafeBufferPointer({ memcmp(base + start, $0.baseAddress!, $0.count) }) == 0 {
                                best = position
                                break
                            }
                        }
                    }
                }
                if best == 0 { return 0 }
                previous = UInt16(byte)
            }
            return best == .max ? nil : best
        }

        /// The position in ``folded`` of the first one-byte phrase `byte`.
        private func singlePosition(_ byte: UInt8) -> Int? {
            folded.firstIndex { $0.phrase.count == 1 && $0.phrase[0] == byte }
        }
    }
}
