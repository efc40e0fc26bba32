/// A multi-pattern matcher (Aho–Corasick) over ASCII-case-folded UTF-8 bytes, built once.
///
/// Scanning costs one table lookup per byte regardless of how many patterns there are, so every
/// keyword, phrase and vocabulary term of the routing configuration is found in one pass.
///
/// The same pass also gathers the byte statistics of ``TextStatistics`` (digit runs, question
/// marks, list items): digits, `?` and line breaks are added to the automaton as *statistic
/// patterns*, so a separate pass over the bytes is not needed — they are rare, and reporting a
/// rare byte costs far less than looking at every byte again.
///
/// Performance notes (cachegrind on the 4 KB benchmark prompt): the scan is bound by instructions
/// per byte, not by cache misses — although the table is ≈0.5 MB, the states a text actually
/// visits are few and stay in L1 (≈30 L1 misses per scan). So states are numbered breadth first (hot shallow states share cache lines)
/// and the states that end a pattern are placed at table offsets ≥ `outputBit`, a power of two:
/// the hot loop tests one bit of the OR of four lanes' rows instead of decoding a flag per lane,
/// and reporting is kept out of line.
struct PatternMatcher: Sendable {
    /// One pattern to find.
    struct Pattern: Sendable {
        /// Lower-case bytes.
        var bytes: [UInt8]
        /// Whether the byte before the match must not be a word byte.
        var wordStart: Bool
        /// Whether the byte after the match must not be a word byte.
        var wordEnd: Bool
    }

    /// What a statistic pattern counts (see ``TextStatistics``); `none` for configured patterns.
    enum Statistic: UInt8, Sendable {
        case none, digit, questionMark, lineBreak
    }

    /// One pattern ending at a state, with everything reporting it needs (one load, not four).
    struct Output: Sendable {
        var pattern: Int32
        /// Length in bytes.
        var length: Int32
        var wordStart: Bool
        var wordEnd: Bool
        var statistic: Statistic
    }

    /// Byte → alphabet class (0 = a byte no pattern uses).
    let classOf: [UInt8]
    let classCount: Int
    /// `row + class` → next row, where a row is a state's offset in this table. Rows of states
    /// with outputs are `outputBit + k × classCount` (k-th such state); all others are below `outputBit`.
    let transitions: [UInt32]
    /// The power of two that marks rows of states with outputs.
    let outputBit: Int
    /// `⌈2⁶⁴ / classCount⌉`: `(row − outputBit) / classCount` as a multiply-high, see ``endingState(row:)``.
    let classCountReciprocal: UInt64
    /// Patterns ending at the k-th state with outputs (including through failure links):
    /// `outputs[outputRanges[k].start..<outputRanges[k].end]`. Ids from `count` on are statistic patterns.
    let outputRanges: [(start: Int32, end: Int32)]
    let outputs: [Output]
    /// For the k-th state with outputs: the statistic if that is its only output (most reported
    /// bytes are digits and line breaks, counted without calling ``report``), else `none`.
    let onlyStatistic: [Statistic]
    /// Number of (configured) patterns; statistic patterns are numbered after them.
    let count: Int
    /// Length of the longest pattern, in bytes.
    let longest: Int

    /// Bytes that belong to words: ASCII letters and digits, `_`, and every non-ASCII byte.
    static let isWordByte: [Bool] = (0..<256).map { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// A pattern from configuration text: lower-cased; word boundaries where the text starts or
    /// ends with a word character; a trailing `*` after a word character lets the word continue.
    static func keyword(_ text: String) -> Pattern {
        var bytes = text.utf8.map(lower)
        var prefix = false
        if bytes.count > 1, bytes.last == UInt8(ascii: "*"), isWordByte[Int(bytes[bytes.count - 2])] {
            bytes.removeLast()
            prefix = true
        }
        return Pattern(bytes: bytes, wordStart: isWordByte[Int(bytes[0])], wordEnd: !prefix && isWordByte[Int(bytes[bytes.count - 1])])
    }

    /// A pattern matched anywhere, even inside words.
    static func phrase(_ text: String) -> Pattern {
        Pattern(bytes: text.utf8.map(lower), wordStart: false, wordEnd: false)
    }

    /// Builds the automaton; empty patterns never match.
    init(patterns configured: [Pattern]) {
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        func newClass() -> UInt8 {
            precondition(classCount < 255, "too many distinct pattern bytes")
            classCount += 1
            return UInt8(classCount - 1)
        }
        for pattern in configured {
            for byte in pattern.bytes where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = newClass()
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            classOf[Int(upper)] = classOf[Int(upper | 0x20)]
        }
        // Statistic patterns: one single-byte pattern per alphabet class of the bytes the
        // statistics count. Digits no configured pattern uses share one class (so they add one
        // column to the table, not seven); one pattern per class keeps each byte reported once.
        var statistics: [Statistic] = []
        var patterns = configured
        var digitClass: UInt8 = 0
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") where classOf[Int(byte)] == 0 {
            if digitClass == 0 { digitClass = newClass() }
            classOf[Int(byte)] = digitClass
        }
        var patternClasses: Set<UInt8> = []
        for (byte, statistic) in (UInt8(ascii: "0")...UInt8(ascii: "9")).map({ ($0, Statistic.digit) }) + [(UInt8(ascii: "?"), .questionMark), (0x0A, .lineBreak)] {
            if classOf[Int(byte)] == 0 { classOf[Int(byte)] = newClass() }
            guard patternClasses.insert(classOf[Int(byte)]).inserted else { continue }
            patterns.append(Pattern(bytes: [byte], wordStart: false, wordEnd: false))
            statistics.append(statistic)
        }
        // Trie.
        var goto: [[Int32]] = [[Int32](repeating: -1, count: classCount)]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.bytes.isEmpty {
            var state = 0
            for byte in pattern.bytes {
                let c = Int(classOf[Int(byte)])
                if goto[state][c] < 0 {
                    goto[state][c] = Int32(goto.count)
                    goto.append([Int32](repeating: -1, count: classCount))
                    own.append([])
                }
                state = Int(goto[state][c])
            }
            own[state].append(Int32(index))
        }
        // Failure links, breadth first; complete the goto function into a DFA.
        var fail = [Int32](repeating: 0, count: goto.count)
        var queue: [Int] = []
        for c in 0..<classCount {
            if goto[0][c] < 0 {
                goto[0][c] = 0
            } else {
                queue.append(Int(goto[0][c]))
            }
        }
        var outputsPerState = own
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            outputsPerState[state] += outputsPerState[Int(fail[state])]
            for c in 0..<classCount {
                let next = goto[state][c]
                if next < 0 {
                    goto[state][c] = goto[Int(fail[state])][c]
                } else {
                    fail[Int(next)] = goto[Int(fail[state])][c]
                    queue.append(Int(next))
                }
            }
        }
        var order = [0] + queue
        Self.splitDigitRuns(
            goto: &goto, outputs: &outputsPerState, order: &order,
            digitClasses: Set((UInt8(ascii: "0")...UInt8(ascii: "9")).map { Int(classOf[Int($0)]) }),
            digitPatterns: Set(statistics.indices.filter { statistics[$0] == .digit }.map { Int32(configured.count + $0) }))
        // Row layout: breadth-first order, states without outputs first, then those with outputs
        // from `outputBit` on.
        let plain = order.filter { outputsPerState[$0].isEmpty }
        let ending = order.filter { !outputsPerState[$0].isEmpty }
        var outputBit = 1
        while outputBit < max(plain.count, ending.count) * classCount { outputBit <<= 1 }
        precondition(2 * outputBit <= Int(UInt32.max), "too many patterns")
        var row = [Int](repeating: 0, count: goto.count)
        for (k, state) in plain.enumerated() { row[state] = k * classCount }
        for (k, state) in ending.enumerated() { row[state] = outputBit + k * classCount }
        var table = [UInt32](repeating: 0, count: outputBit + ending.count * classCount)
        for state in order {
            for c in 0..<classCount { table[row[state] + c] = UInt32(row[Int(goto[state][c])]) }
        }
        var ranges: [(start: Int32, end: Int32)] = []
        var flat: [Output] = []
        for state in ending {
            let start = Int32(flat.count)
            flat += outputsPerState[state].map { index in
                let pattern = patterns[Int(index)]
                return Output(
                    pattern: index, length: Int32(pattern.bytes.count), wordStart: pattern.wordStart, wordEnd: pattern.wordEnd,
                    statistic: Int(index) < configured.count ? .none : statistics[Int(index) - configured.count])
            }
            ranges.append((start, Int32(flat.count)))
        }
        self.classOf = classOf
        self.classCount = classCount
        self.transitions = table
        self.outputBit = outputBit
        self.outputRanges = ranges
        self.outputs = flat
        self.onlyStatistic = ranges.map { range in range.end - range.start == 1 ? flat[Int(range.start)].statistic : .none }
        precondition(classCount > 1)  // (the statistic patterns add classes) for the reciprocal below
        self.classCountReciprocal = UInt64.max / UInt64(classCount) + 1
        self.count = configured.count
        self.longest = patterns.map(\.bytes.count).max() ?? 0
    }

    /// Only the first digit of a run of digits counts as a number, so the digits after it need
    /// not stop the scan. Every state entered by a digit (its string ends in a digit) gets a
    /// clone without the digit statistic, and digit transitions out of those states go to the
    /// clones: the automaton then reports a digit only when the byte before it is not one.
    /// Everything else about the clones is the same, so configured patterns match as before.
    private static func splitDigitRuns(goto: inout [[Int32]], outputs: inout [[Int32]], order: inout [Int], digitClasses: Set<Int>, digitPatterns: Set<Int32>) {
        var cloneOf: [Int: Int] = [:]
        for state in order {
            for c in digitClasses {
                let target = Int(goto[state][c])
                guard cloneOf[target] == nil else { continue }
                cloneOf[target] = goto.count
                order.append(goto.count)
                goto.append(goto[target])
                outputs.append(outputs[target].filter { !digitPatterns.contains($0) })
            }
        }
        for (original, clone) in cloneOf {
            for c in digitClasses {
                goto[original][c] = Int32(cloneOf[Int(goto[original][c])]!)
                goto[clone][c] = Int32(cloneOf[Int(goto[clone][c])]!)
            }
        }
    }
}
