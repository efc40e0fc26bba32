extension PatternMatcher {
    /// Calls `onMatch(pattern, startOffset)` for every occurrence of a configured pattern whose
    /// word boundaries hold (in no particular order), and counts numbers, question marks and
    /// list items into `statistics`.
    ///
    /// The automaton walk is a chain of dependent table loads, so long texts are cut into four
    /// lanes walked in lockstep: four independent chains keep the memory system busy. Each lane
    /// starts `max(1, longest − 1)` bytes early and reports only matches that end inside its own
    /// part, so every occurrence (and every counted byte) is reported exactly once.
    @inline(__always)
    func scan(_ text: UnsafeBufferPointer<UInt8>, statistics: inout TextStatistics, _ onMatch: (Int, Int) -> Void) {
        let n = text.count
        guard n > 0, let bytes = text.baseAddress else { return }
        // The statistic patterns see line breaks; the first line has none before it.
        if Self.isListItem(text, from: 0) { statistics.listItems &+= 1 }
        let outputBit = self.outputBit
        transitions.withUnsafeBufferPointer { transitions in
            classOf.withUnsafeBufferPointer { classOf in
                onlyStatistic.withUnsafeBufferPointer { onlyStatistic in
                    // Unchecked pointers in the hot loop: every row is a valid table offset by
                    // construction, every class is < classCount, and the byte offsets stay below `n`.
                    guard let next = transitions.baseAddress, let classes = classOf.baseAddress else { return }
                    /// A state with outputs reached at byte `i`: a lone statistic is counted here,
                    /// anything else goes to ``report``.
                    @inline(__always) func reached(_ row: Int, at i: Int, reportFrom: Int) {
                        let statistic = onlyStatistic[endingState(row: row)]
                        if statistic == .none {
                            report(text, row: row, at: i, reportFrom: reportFrom, &statistics, onMatch)
                        } else if i >= reportFrom {
                            Self.count(statistic, at: i, in: text, into: &statistics)
                        }
                    }
                    @inline(__always) func walk(_ row: inout Int, from: Int, to: Int, reportFrom: Int) {
                        for i in from..<to {
                            row = Int(next[row &+ Int(classes[Int(bytes[i])])])
                            if row & outputBit != 0 { reached(row, at: i, reportFrom: reportFrom) }
                        }
                    }
                    if n < 512 {
                        var row = 0
                        walk(&row, from: 0, to: n, reportFrom: 0)
                        return
                    }
                    let part = (n + 3) / 4
                    // At least one byte of overlap: the automaton needs the byte before a digit to
                    // know whether it starts a number (see `splitDigitRuns`).
                    let overlap = max(1, longest - 1)
                    let begin = (0, max(0, part - overlap), max(0, 2 * part - overlap), max(0, 3 * part - overlap))
                    let end = (part, 2 * part, 3 * part, n)
                    let common = min(end.0 - begin.0, end.1 - begin.1, end.2 - begin.2, end.3 - begin.3)
                    let lane = (bytes + begin.0, bytes + begin.1, bytes + begin.2, bytes + begin.3)
                    var rows = (0, 0, 0, 0)
                    var j = 0
                    while j < common {
                        // The walk stops after the first step that reaches a state with outputs.
                        j = Self.walkLanes(lane, &rows, from: j, to: common, next: next, classes: classes, outputBit: outputBit)
                        guard j < common else { break }
                        if rows.0 & outputBit != 0 { reached(rows.0, at: begin.0 &+ j, reportFrom: 0) }
                        if rows.1 & outputBit != 0 { reached(rows.1, at: begin.1 &+ j, reportFrom: part) }
                        if rows.2 & outputBit != 0 { reached(rows.2, at: begin.2 &+ j, reportFrom: 2 * part) }
                        if rows.3 & outputBit != 0 { reached(rows.3, at: begin.3 &+ j, reportFrom: 3 * part) }
                        j &+= 1
                    }
                    var (r0, r1, r2, r3) = rows
                    walk(&r0, from: begin.0 + common, to: end.0, reportFrom: 0)
                    walk(&r1, from: begin.1 + common, to: end.1, reportFrom: part)
                    walk(&r2, from: begin.2 + common, to: end.2, reportFrom: 2 * part)
                    walk(&r3, from: begin.3 + common, to: end.3, reportFrom: 3 * part)
                }
            }
        }
    }

    /// Steps four lanes from `j` until one of them reaches a state with outputs (returns that
    /// `j`) or `end` (returns `end`). A function of its own so the compiler keeps the four rows
    /// and lane pointers in registers: with the reporting code in the same loop they were spilled
    /// to the stack, which put a store-to-load forward on every step's dependency chain.
    @inline(never)
    private static func walkLanes(
        _ lane: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>), _ rows: inout (Int, Int, Int, Int),
        from start: Int, to end: Int, next: UnsafePointer<UInt32>, classes: UnsafePointer<UInt8>, outputBit: Int
    ) -> Int {
        var (r0, r1, r2, r3) = rows
        var j = start
        while j < end {
            r0 = Int(next[r0 &+ Int(classes[Int(lane.0[j])])])
            r1 = Int(next[r1 &+ Int(classes[Int(lane.1[j])])])
            r2 = Int(next[r2 &+ Int(classes[Int(lane.2[j])])])
            r3 = Int(next[r3 &+ Int(classes[Int(lane.3[j])])])
            if (r0 | r1 | r2 | r3) & outputBit != 0 { break }
            j &+= 1
        }
        rows = (r0, r1, r2, r3)
        return j
    }

    /// The index k of the state with outputs whose row is `row` (`outputBit + k × classCount`).
    ///
    /// `(row − outputBit) / classCount` as a multiply-high by the rounded-up reciprocal instead
    /// of a division (a 64-bit `div` takes tens of cycles and runs for every reported byte). Exact
    /// because the dividend is a multiple of `classCount` below 2³²: the rounding error of the
    /// reciprocal adds less than 2³² / 2⁶⁴ to an integer quotient.
    @inline(__always)
    func endingState(row: Int) -> Int {
        Int(UInt64(row &- outputBit).multipliedFullWidth(by: classCountReciprocal).high)
    }

    /// Reports the patterns ending at byte `i` in state `row` (a row ≥ `outputBit`) whose word
    /// boundaries hold, and counts the statistic patterns. Out of line: it runs for a few percent
    /// of the bytes.
    @inline(never)
    private func report(
        _ text: UnsafeBufferPointer<UInt8>, row: Int, at i: Int, reportFrom: Int, _ statistics: inout TextStatistics, _ onMatch: (Int, Int) -> Void
    ) {
        guard i >= reportFrom else { return }
        let n = text.count
        let state = endingState(row: row)
        let range = outputRanges[state]
        for k in Int(range.start)..<Int(range.end) {
            let output = outputs[k]
            let pattern = Int(output.pattern)
            if output.statistic != .none {
                Self.count(output.statistic, at: i, in: text, into: &statistics)
                continue
            }
            let start = i &- Int(output.length) &+ 1
            if output.wordStart, start > 0, Self.isWord(text[start &- 1]) { continue }
            if output.wordEnd, i &+ 1 < n, Self.isWord(text[i &+ 1]) { continue }
            onMatch(pattern, start)
        }
    }

    /// Counts the statistic byte at `i`: a digit that starts a run of digits, a question mark, or
    /// a line break followed by a list item.
    @inline(__always)
    static func count(_ statistic: Statistic, at i: Int, in text: UnsafeBufferPointer<UInt8>, into statistics: inout TextStatistics) {
        switch statistic {
        case .none:
            break
        case .digit:
            // The automaton reports only digits after a non-digit; checking again costs little.
            if i == 0 || text[i - 1] &- 0x30 >= 10 { statistics.numbers &+= 1 }
        case .questionMark:
            statistics.questionMarks &+= 1
        case .lineBreak:
            if isListItem(text, from: i &+ 1) { statistics.listItems &+= 1 }
        }
    }

    /// ``isWordByte`` computed rather than loaded: the table is a lazily initialised global, and
    /// its `swift_once` check cost more than these comparisons.
    @inline(__always)
    static func isWord(_ byte: UInt8) -> Bool {
        // `byte | 0x20` lower-cases ASCII letters (and maps no non-letter into a…z).
        byte >= 0x80 || byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 26 || byte == 0x5F
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
