/// A number written in an answer.
struct NumberToken: Hashable {
    /// Byte offsets in the UTF-8 text.
    var start: Int
    var end: Int
    /// The text without thousands separators, e.g. `-1234.5` or `5/2`.
    var text: String
    var value: Double
    var isInteger: Bool
}

/// Finds the numbers of a text in one pass: `12`, `-3`, `1,234`, `2.5`, `5/2`.
enum NumberScanner {
    static func scan(_ bytes: [UInt8]) -> [NumberToken] {
        var tokens: [NumberToken] = []
        var index = 0
        let count = bytes.count
        func isDigit(_ i: Int) -> Bool { i < count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        func isWordByte(_ i: Int) -> Bool {
            guard i >= 0 && i < count else { return false }
            let b = bytes[i]
            return (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == UInt8(ascii: "_")
        }
        while index < count {
            guard isDigit(index), !isWordByte(index - 1) || bytes[index - 1] | 0x20 == UInt8(ascii: "x") else {
                index += 1
                continue
            }
            let negative = index > 0 && bytes[index - 1] == UInt8(ascii: "-") && !isWordByte(index - 2)
            let start = negative ? index - 1 : index
            var digits: [UInt8] = negative ? [UInt8(ascii: "-")] : []
            var isInteger = true
            while index < count {
                if isDigit(index) {
                    digits.append(bytes[index])
                    index += 1
                } else if bytes[index] == UInt8(ascii: ","), isDigit(index + 1), isDigit(index + 2), isDigit(index + 3), !isDigit(index + 4) {
                    index += 1
                } else {
                    break
                }
            }
            var value = Double(String(decoding: digits, as: UTF8.self)) ?? 0
            if index + 1 < count, bytes[index] == UInt8(ascii: "."), isDigit(index + 1) {
                var fraction: [UInt8] = [UInt8(ascii: ".")]
                index += 1
                while isDigit(index) {
                    fraction.append(bytes[index])
                    index += 1
                }
                digits += fraction
                value = Double(String(decoding: digits, as: UTF8.self)) ?? value
                isInteger = value.rounded() == value
            } else if index + 1 < count, bytes[index] == UInt8(ascii: "/"), isDigit(index + 1) {
                var denominator: [UInt8] = []
                index += 1
                while isDigit(index) {
                    denominator.append(bytes[index])
                    index += 1
                }
                let divisor = Double(String(decoding: denominator, as: UTF8.self)) ?? 1
                digits += [UInt8(ascii: "/")] + denominator
                value = divisor == 0 ? .nan : value / divisor
                isInteger = value.rounded() == value
            }
            tokens.append(NumberToken(start: start, end: index, text: String(decoding: digits, as: UTF8.self), value: value, isInteger: isInteger))
        }
        return tokens
    }
}

/// `number`: a math/numeric answer must end in a final number — the first number after the last
/// final-answer marker, else the last number of the last non-empty line.
struct NumberGate: Sendable, Hashable {
    let settings: NumberGateSettings
    private let markers: [[UInt8]]
    private let hedges: PhraseList

    /// How far after a marker the final number may start, in bytes.
    static let markerReach = 80

    init(_ settings: NumberGateSettings) {
        self.settings = settings
        markers = settings.markers.map { Array($0.lowercased().utf8) }.filter { !$0.isEmpty }
        hedges = PhraseList(settings.hedges)
    }

    /// Finds the final answer number: (token, whether a marker introduced it).
    func finalNumber(in content: String) -> (number: NumberToken, marked: Bool)? {
        let bytes = Array(content.utf8)
        let numbers = NumberScanner.scan(bytes)
        guard !numbers.isEmpty else { return nil }
        if let markerEnd = lastMarkerEnd(bytes),
            let number = numbers.first(where: { $0.start >= markerEnd && $0.start - markerEnd <= Self.markerReach })
        {
            return (number, true)
        }
        // The last non-empty line.
        var end = bytes.count
        while end > 0 && EmptyGate.isSpace(bytes[end - 1]) { end -= 1 }
        var lineStart = end
        while lineStart > 0 && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        guard let last = numbers.last(where: { $0.start >= lineStart && $0.start < end }) else { return nil }
        return (last, false)
    }

    func evaluate(content: String) -> GateResult {
        if let phrase = hedges.firstMatch(in: FoldedText(content)) {
            return .fail(.number, "the numeric answer hedges (\"\(phrase)\")", details: ["phrase": .string(phrase)])
        }
        guard let (number, marked) = finalNumber(in: content) else {
            let reason = content.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
                ? "the answer does not end with a final number (none after a final-answer marker or on its last line)"
                : "the answer contains no number"
            return .fail(.number, reason)
        }
        var details: JSONObject = ["final_number": .string(number.text), "marked": .bool(marked)]
        if settings.requireMarker && !marked {
            return .fail(.number, "no final-answer marker (\(settings.markers.joined(separator: ", "))) followed by a number", details: details)
        }
        if settings.integer && !number.isInteger {
            return .fail(.number, "the final number \(number.text) is not a whole number", details: details)
        }
        if settings.consistency && marked {
            let before = NumberScanner.scan(Array(content.utf8.prefix(number.start)))
            if !before.isEmpty, !before.contains(where: { abs($0.value - number.value) < 1e-9 }) {
                details["consistent"] = false
                return .fail(.number, "the final number \(number.text) appears nowhere in the working before it", details: details)
            }
        }
        return .pass(.number, "final number \(number.text)" + (marked ? "" : " (no final-answer marker)"), score: marked ? 1 : 0.75, details: details)
    }

    private func lastMarkerEnd(_ bytes: [UInt8]) -> Int? {
        guard !markers.isEmpty else { return nil }
        var best: Int?
        // Scan backwards once; the first position where any marker matches is the last marker.
        var index = bytes.count - 1
        while index >= 0 {
            for marker in markers where marker.count <= bytes.count - index {
                var k = 0
                while k < marker.count && lower(bytes[index + k]) == marker[k] { k += 1 }
                if k == marker.count {
                    best = max(best ?? 0, index + marker.count)
                }
            }
            if best != nil { return best }
            index -= 1
        }
        return nil
    }

    private func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
