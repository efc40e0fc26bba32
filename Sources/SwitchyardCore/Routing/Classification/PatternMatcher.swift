/// A multi-pattern matcher (Aho–Corasick) over ASCII-case-folded UTF-8 bytes, built once.
///
/// Scanning costs one table lookup per byte regardless of how many patterns there are, so every
/// keyword, phrase and vocabulary term of the routing configuration is found in one pass.
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

    /// Byte → alphabet class (0 = a byte no pattern uses).
    private let classOf: [UInt8]
    private let classCount: Int
    /// `state × classCount + class` → `(next state × classCount) << 1 | next state has outputs`.
    private let transitions: [UInt32]
    /// Patterns ending at each state (including through failure links): `outputs[outputStart[s]..<outputStart[s+1]]`.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    private let lengths: [Int32]
    private let flags: [UInt8]  // bit 0: word start, bit 1: word end
    /// Number of patterns.
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
    init(patterns: [Pattern]) {
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for pattern in patterns {
            for byte in pattern.bytes where classOf[Int(byte)] == 0 {
                precondition(classCount < 255, "too many distinct pattern bytes")
                classOf[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            classOf[Int(upper)] = classOf[Int(upper | 0x20)]
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
        self.classOf = classOf
        self.classCount = classCount
        precondition(goto.count * classCount < Int(UInt32.max >> 1), "too many patterns")
        self.transitions = goto.flatMap { row in
            row.map { next in UInt32(Int(next) * classCount) << 1 | (outputsPerState[Int(next)].isEmpty ? 0 : 1) }
        }
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for list in outputsPerState {
            flat += list
            start.append(Int32(flat.count))
        }
        self.outputStart = start
        self.outputs = flat
        self.lengths = patterns.map { Int32($0.bytes.count) }
        self.flags = patterns.map { ($0.wordStart ? 1 : 0) | ($0.wordEnd ? 2 : 0) }
        self.count = patterns.count
        self.longest = patterns.map(\.bytes.count).max() ?? 0
    }

    /// Calls `onMatch(pattern, startOffset)` for every occurrence whose word boundaries hold
    /// (in no particular order), and counts numbers, question marks and list items into `statistics`.
    ///
    /// The automaton walk is a chain of dependent table loads, so long texts are cut into four
    /// lanes walked in lockstep: four independent chains keep the memory system busy. Each lane
    /// starts `longest − 1` bytes early and reports only matches that end inside its own part, so
    /// every occurrence is reported exactly once.
    @inline(__always)
    func scan(_ text: UnsafeBufferPointer<UInt8>, statistics: inout TextStatistics, _ onMatch: (Int, Int) -> Void) {
        Self.countStatistics(text, into: &statistics)
        let n = text.count
        guard n > 0, count > 0 else { return }
        transitions.withUnsafeBufferPointer { transitions in
            classOf.withUnsafeBufferPointer { classOf in
                outputStart.withUnsafeBufferPointer { outputStart in
                    PatternMatcher.isWordByte.withUnsafeBufferPointer { isWord in
                        @inline(__always) func step(_ row: inout Int, at i: Int, reportFrom: Int) {
                            let entry = Int(transitions[row &+ Int(classOf[Int(text[i])])])
                            row = entry &>> 1
                            guard entry & 1 != 0, i >= reportFrom else { return }
                            let state = row / classCount
                            for k in Int(outputStart[state])..<Int(outputStart[state &+ 1]) {
                                let pattern = Int(outputs[k])
                                let start = i &- Int(lengths[pattern]) &+ 1
                                let flag = flags[pattern]
                                if flag & 1 != 0, start > 0, isWord[Int(text[start &- 1])] { continue }
                                if flag & 2 != 0, i &+ 1 < n, isWord[Int(text[i &+ 1])] { continue }
                                onMatch(pattern, start)
                            }
                        }
                        if n < 512 {
                            var row = 0
                            for i in 0..<n { step(&row, at: i, reportFrom: 0) }
                            return
                        }
                        let part = (n + 3) / 4
                        let overlap = max(0, longest - 1)
                        let report = (0, part, 2 * part, 3 * part)
                        let begin = (0, max(0, part - overlap), max(0, 2 * part - overlap), max(0, 3 * part - overlap))
                        let end = (part, 2 * part, 3 * part, n)
                        let common = min(end.0 - begin.0, end.1 - begin.1, end.2 - begin.2, end.3 - begin.3)
                        var rows = (0, 0, 0, 0)
                        for j in 0..<common {
                            step(&rows.0, at: begin.0 &+ j, reportFrom: report.0)
                            step(&rows.1, at: begin.1 &+ j, reportFrom: report.1)
                            step(&rows.2, at: begin.2 &+ j, reportFrom: report.2)
                            step(&rows.3, at: begin.3 &+ j, reportFrom: report.3)
                        }
                        for i in (begin.0 + common)..<end.0 { step(&rows.0, at: i, reportFrom: report.0) }
                        for i in (begin.1 + common)..<end.1 { step(&rows.1, at: i, reportFrom: report.1) }
                        for i in (begin.2 + common)..<end.2 { step(&rows.2, at: i, reportFrom: report.2) }
                        for i in (begin.3 + common)..<end.3 { step(&rows.3, at: i, reportFrom: report.3) }
                    }
                }
            }
        }
    }

    /// Numbers, question marks and list items, in one mostly branch-free pass; list items are
    /// only looked for after the (rare) line breaks.
    @inline(__always)
    static func countStatistics(_ text: UnsafeBufferPointer<UInt8>, into statistics: inout TextStatistics) {
        var numbers = 0, questions = 0, listItems = 0
        var previousIsDigit = false
        let n = text.count
        for i in 0..<n {
            let byte = text[i]
            let isDigit = byte &- 0x30 < 10
            numbers &+= (isDigit && !previousIsDigit) ? 1 : 0
            questions &+= byte == UInt8(ascii: "?") ? 1 : 0
            previousIsDigit = isDigit
            if byte == 0x0A || i == 0 {
                listItems &+= isListItem(text, from: byte == 0x0A ? i &+ 1 : i) ? 1 : 0
            }
        }
        statistics.numbers &+= numbers
        statistics.questionMarks &+= questions
        statistics.listItems &+= listItems
    }

    /// Whether the line starting at `start` begins (after indentation) with `-`, `*`, `•`, or `12.` / `12)`.
    static func isListItem(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var i = start
        while i < text.count, text[i] == 0x20 || text[i] == 0x09 { i &+= 1 }
        guard i < text.count else { return false }
        let first = text[i]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == 0xE2 { return true }
        var digits = 0
        while i < text.count, text[i] &- 0x30 < 10, digits < 4 {
            i &+= 1
            digits &+= 1
        }
        return digits > 0 && i < text.count && (text[i] == UInt8(ascii: ".") || text[i] == UInt8(ascii: ")"))
    }
}

/// Byte-level counts gathered while scanning.
struct TextStatistics {
    /// Runs of digits (a decimal like 3.14 counts as two).
    var numbers = 0
    var questionMarks = 0
    /// Lines starting with `-`, `*`, `•` or `1.` / `1)`.
    var listItems = 0
}
