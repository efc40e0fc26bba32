/// Cheap checks of the string formats the JSON gate asserts (no regex, one pass each).
enum SchemaFormats {
    static func isValid(_ text: String, _ format: SchemaFormat) -> Bool {
        let bytes = Array(text.utf8)
        switch format {
        case .date: return isDate(bytes[...])
        case .dateTime: return isDateTime(bytes)
        case .email: return isEmail(bytes)
        case .uuid: return isUUID(bytes)
        case .uri: return isURI(bytes)
        }
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// RFC 3339 `full-date`: `YYYY-MM-DD` with a day that exists in that month.
    static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        let b = Array(bytes)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let year = digits(b[0..<4]), let month = digits(b[5..<7]), let day = digits(b[8..<10]), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, `T`/`Z` in either case.
    static func isDateTime(_ b: [UInt8]) -> Bool {
        guard b.count >= 20, isDate(b[0..<10]), b[10] | 0x20 == UInt8(ascii: "t"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let hour = digits(b[11..<13]), let minute = digits(b[14..<16]), let second = digits(b[17..<19]), hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = 19
        if b[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < b.count && b[index] >= 0x30 && b[index] <= 0x39 { index += 1 }
            guard index > start else { return false }
        }
        guard index < b.count else { return false }
        if b[index] | 0x20 == UInt8(ascii: "z") { return index == b.count - 1 }
        guard b[index] == UInt8(ascii: "+") || b[index] == UInt8(ascii: "-"), b.count - index == 6, b[index + 3] == UInt8(ascii: ":"),
            let offsetHour = digits(b[(index + 1)..<(index + 3)]), let offsetMinute = digits(b[(index + 4)..<(index + 6)])
        else { return false }
        return offsetHour <= 23 && offsetMinute <= 59
    }

    /// `local@domain`: a non-empty local part without leading, trailing or doubled dots, and a
    /// domain of dot-separated labels (or a bracketed address literal).
    static func isEmail(_ b: [UInt8]) -> Bool {
        guard let at = b.lastIndex(of: UInt8(ascii: "@")), at > 0, at < b.count - 1 else { return false }
        let local = b[..<at]
        let domain = b[(at + 1)...]
        if local.first == UInt8(ascii: "\"") && local.last == UInt8(ascii: "\"") && local.count >= 2 {
            // quoted local part: anything printable
        } else {
            guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."), !containsDoubleDot(local),
                local.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "@") && $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: "\\") })
            else { return false }
        }
        if domain.first == UInt8(ascii: "[") { return domain.last == UInt8(ascii: "]") && domain.count > 2 }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 >= 0x80 }
        }
    }

    /// `8-4-4-4-12` hexadecimal digits.
    static func isUUID(_ b: [UInt8]) -> Bool {
        guard b.count == 36 else { return false }
        for (index, byte) in b.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66) else { return false }
            }
        }
        return true
    }

    /// An absolute URI: `scheme:rest`, the scheme a letter followed by letters, digits, `+`, `-`,
    /// `.`; no spaces, controls, non-ASCII or `<>"{}|\^` characters; `%` followed by two hex digits.
    static func isURI(_ b: [UInt8]) -> Bool {
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > 0, isLetter(b[0]) else { return false }
        guard b[1..<colon].allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else { return false }
        let forbidden: Set<UInt8> = Set("<>\"{}|\\^` ".utf8)
        var index = colon + 1
        while index < b.count {
            let byte = b[index]
            if byte <= 0x20 || byte >= 0x7F || forbidden.contains(byte) { return false }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < b.count, isHex(b[index + 1]), isHex(b[index + 2]) else { return false }
                index += 3
                continue
            }
            index += 1
        }
        return true
    }

    private static func containsDoubleDot(_ bytes: ArraySlice<UInt8>) -> Bool {
        var previousDot = false
        for byte in bytes {
            let dot = byte == UInt8(ascii: ".")
            if dot && previousDot { return true }
            previousDot = dot
        }
        return false
    }

    private static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || (byte >= 0x30 && byte <= 0x39) }
    private static func isHex(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66) }
}
