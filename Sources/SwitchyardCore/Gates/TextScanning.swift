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

    /// Folds `source` into an array of at most its length (folding never lengthens text), written
    /// through a pointer with a table lookup per byte. A space is always stored and kept only
    /// after a non-space, so past the marked head the loop branches on the text only at `E2`
    /// bytes (curly quotes): appending byte by byte checked capacity and uniqueness every time.
    private static func fold(_ source: UnsafeBufferPointer<UInt8>, mark: Int) -> ([UInt8], Int) {
        var marked: Int?
        let folded = [UInt8](unsafeUninitializedCapacity: source.count) { out, initializedCount in
            guard let input = source.baseAddress, let output = out.baseAddress else {
                initializedCount = 0
                return
            }
            foldTable.withUnsafeBufferPointer { table in
                let table = table.baseAddress!
                var written = 0
                var codePoints = 0
                var lastWasSpace = false
                var index = 0
                while index < source.count {
                    let byte = input[index]
                    if codePoints <= mark, byte & 0xC0 != 0x80 {
                        if codePoints == mark { marked = written }
                        codePoints += 1
                    }
                    index += 1
                    var folded = table[Int(byte)]
                    if byte == 0xE2, index + 1 < source.count, input[index] == 0x80 {
                        // U+2018/2019 (‘ ’) → ', U+201C/201D (“ ”) → "; other E2 80 xx stay as they are.
                        switch input[index + 1] {
                        case 0x98, 0x99:
                            folded = UInt8(ascii: "'")
                            index += 2
                        case 0x9C, 0x9D:
                            folded = UInt8(ascii: "\"")
                            index += 2
                        default:
                            break
                        }
                    }
                    let isSpace = folded == UInt8(ascii: " ")
                    output[written] = folded
                    written &+= (isSpace && lastWasSpace) ? 0 : 1
                    lastWasSpace = isSpace
                }
                initializedCount = written
            }
        }
        return (folded, marked ?? folded.count)
    }

    /// Each byte's folded form: ASCII letters lower-cased, tab, line feed and carriage return
    /// made spaces, every other byte itself.
    private static let foldTable: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        switch byte {
        case 0x41...0x5A: return UInt8(byte | 0x20)
        case 0x09, 0x0A, 0x0D: return UInt8(ascii: " ")
        default: return UInt8(byte)
        }
    }

    /// Whether `byte` (of folded text) is part of an ASCII word: a lower-case letter, a digit or
    /// `_`. Phrases match only where such a word starts and ends; bytes of other scripts never
    /// join a word, so a phrase in a language written without spaces matches anywhere.
    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): return true
        default: return false
        }
    }
}

/// A list of phrases matched case-insensitively against ``FoldedText``, as whole words: a phrase
/// whose first (last) character is an ASCII letter or digit matches only where no such character
/// comes before (after) it, so "as an ai" is not found in "has an aim". Prepared once.
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
        /// One folded phrase (never empty) with its index in the list and its word edges.
        struct Entry: Sendable {
            let phrase: [UInt8]
            let index: Int
            /// The phrase starts (ends) with a word byte, so the text must not have one before
            /// (after) the match.
            let startsWord: Bool
            let endsWord: Bool
        }

        /// The folded phrases, in list order.
        let folded: [Entry]
        /// Bit `first << 8 | second` is set when some phrase of two bytes or more starts so.
        let pairs: [UInt64]
        /// The entries of ``folded`` (positions in it) that start with each pair in ``pairs``.
        let startingWith: [UInt16: [Int]]
        /// Bit `byte` is set when some phrase is that one byte.
        let singles: [UInt64]
        let hasSingles: Bool

        init(_ phrases: [String]) {
            folded = phrases.enumerated().compactMap { index, phrase in
                let bytes = FoldedText(phrase).bytes
                guard let first = bytes.first, let last = bytes.last else { return nil }
                return Entry(phrase: bytes, index: index, startsWord: FoldedText.isWordByte(first), endsWord: FoldedText.isWordByte(last))
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
            hasSingles = folded.contains { $0.phrase.count == 1 }
        }

        /// The position in ``folded`` of the first phrase (in list order) that occurs in `hay`.
        ///
        /// Every position is tested against the bitmaps, which rarely hit, so the loop's branches
        /// are nearly always predicted; word edges are checked only on a hit.
        func firstMatch(in hay: UnsafeBufferPointer<UInt8>) -> Int? {
            guard let base = hay.baseAddress, hay.count > 0 else { return nil }
            let count = hay.count
            var best = Int.max
            pairs.withUnsafeBufferPointer { pairs in
                let pairs = pairs.baseAddress!
                var previous = UInt16(0)
                for start in 0..<count {
                    let byte = base[start]
                    if hasSingles, singles[Int(byte) >> 6] & (1 << (UInt64(byte) & 63)) != 0,
                        let position = singlePosition(byte), position < best,
                        matches(folded[position], at: start, in: hay)
                    {
                        best = position
                    }
                    if start > 0 {
                        let pair = previous << 8 | UInt16(byte)
                        if pairs[Int(pair) >> 6] & (1 << (UInt64(pair) & 63)) != 0 {
                            for position in startingWith[pair, default: []] {
                                // Positions ascend: nothing later in the list can beat the best so far.
                                guard position < best else { break }
                                if matches(folded[position], at: start - 1, in: hay) {
                                    best = position
                                    break
                                }
                            }
                            if best == 0 { return }
                        }
                    }
                    previous = UInt16(byte)
                }
            }
            return best == .max ? nil : best
        }

        /// The position in ``folded`` of the first one-byte phrase `byte`.
        private func singlePosition(_ byte: UInt8) -> Int? {
            folded.firstIndex { $0.phrase.count == 1 && $0.phrase[0] == byte }
        }

        /// Whether `entry` occurs in `hay` at `start`, with the word edges it asks for.
        private func matches(_ entry: Entry, at start: Int, in hay: UnsafeBufferPointer<UInt8>) -> Bool {
            let length = entry.phrase.count
            guard length <= hay.count - start else { return false }
            if entry.startsWord, start > 0, FoldedText.isWordByte(hay[start - 1]) { return false }
            let end = start + length
            if entry.endsWord, end < hay.count, FoldedText.isWordByte(hay[end]) { return false }
            return entry.phrase.withUnsafeBufferPointer { memcmp(hay.baseAddress! + start, $0.baseAddress!, length) } == 0
        }
    }
}
