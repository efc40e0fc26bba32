/// Serialises ``JSONValue`` to compact UTF-8 JSON.
public enum JSONWriter {
    /// The compact JSON bytes of `value`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output = JSONBytes(capacity: 256)
        emit(value, into: &output)
        return output.array
    }

    /// The compact JSON text of `value`.
    public static func string(_ value: JSONValue) -> String {
        var output = JSONBytes(capacity: 256)
        emit(value, into: &output)
        return output.string
    }

    /// The compact JSON text of an array of strings, written without building a tree (the
    /// ledger's `reasons` column, once per request).
    public static func string(ofStrings strings: [String]) -> String {
        var output = JSONBytes(capacity: 64)
        emitStrings(strings, into: &output)
        return output.string
    }

    /// Appends `strings` as a JSON array of strings.
    static func emitStrings<Output: JSONOutput & ~Copyable>(_ strings: [String], into output: inout Output) {
        output.append(UInt8(ascii: "["))
        for index in strings.indices {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            emitString(strings[index], into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// Appends the JSON of `value` to `output`.
    public static func write(_ value: JSONValue, into output: inout [UInt8]) {
        emit(value, into: &output)
    }

    /// Appends `string` as a quoted JSON string, escaping what RFC 8259 requires.
    public static func writeString(_ string: String, into output: inout [UInt8]) {
        emitString(string, into: &output)
    }

    /// Appends the JSON of `value` to `output`.
    static func emit<Output: JSONOutput & ~Copyable>(_ value: JSONValue, into output: inout Output) {
        switch value {
        case .null: output.append("null")
        case .bool(let flag): output.append(flag ? "true" : "false")
        case .int(let integer): writeInteger(Int64(integer), into: &output)
        case .double(let double): writeDouble(double, into: &output)
        case .string(let string): emitString(string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for position in elements.indices {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                emit(elements[position], into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let keys = object.keys
            let values = object.values
            for position in keys.indices {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                emitString(keys[position], into: &output)
                output.append(UInt8(ascii: ":"))
                emit(values[position], into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeDouble<Output: JSONOutput & ~Copyable>(_ double: Double, into output: inout Output) {
        guard double.isFinite else {
            output.append("null")
            return
        }
        if double == double.rounded(), abs(double) < 1e15 {
            writeInteger(Int64(double), into: &output)
            output.append(".0")
        } else if !writeShortDecimal(double, into: &output) {
            var text = "\(double)"
            text.withUTF8 { output.append(bytes: $0) }
        }
    }

    /// Writes `double` as Swift's `description` would, when it has at most ten decimal places
    /// and a magnitude in [1e-4, 1e5): the numbers of decision records, rounded to 1e-10,
    /// without formatting a `String` for each. Returns `false`, writing nothing, otherwise.
    ///
    /// Exact because: `n = double × 10¹⁰` is an integer below 2⁵³, so `Double(n) / 10¹⁰` is the
    /// double nearest n / 10¹⁰, the value the decimal text reads back as. When it equals
    /// `double`, the text round-trips; and it is the shortest that does, since decimals with
    /// at most ten places are 10⁻¹⁰ apart and doubles below 10⁵ are closer together than that,
    /// so no other such decimal reads back as the same double.
    static func writeShortDecimal<Output: JSONOutput & ~Copyable>(_ double: Double, into output: inout Output) -> Bool {
        let magnitude = abs(double)
        guard magnitude >= 1e-4, magnitude < 1e5 else { return false }
        let scale = 10_000_000_000.0
        let scaled = (magnitude * scale).rounded()
        guard scaled / scale == magnitude else { return false }
        if double < 0 { output.append(UInt8(ascii: "-")) }
        appendTenDecimalPlaces(UInt64(scaled), into: &output)
        return true
    }

    /// Appends the decimal digits of `value` (with a `-` when negative), without formatting a
    /// `String` first.
    static func writeInteger<Output: JSONOutput & ~Copyable>(_ value: Int64, into output: inout Output) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so Int64.min has one too.
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                count += 1
                buffer[buffer.count - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            let first = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + (buffer.count - count)
            output.append(bytes: UnsafeBufferPointer(start: first, count: count))
        }
    }

    /// Appends `units` × 10⁻¹⁰ as `whole.fraction`, the fraction without trailing zeros but at
    /// least one digit (`12.0`, `0.0000351`).
    static func appendTenDecimalPlaces<Output: JSONOutput & ~Copyable>(_ units: UInt64, into output: inout Output) {
        writeInteger(Int64(units / 10_000_000_000), into: &output)
        output.append(UInt8(ascii: "."))
        var fraction = units % 10_000_000_000
        var digits = 10
        while digits > 1, fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var divisor: UInt64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `string` as a quoted JSON string, escaping what RFC 8259 requires. Runs of bytes
    /// that need no escape (nearly all of them) are copied at once.
    static func emitString<Output: JSONOutput & ~Copyable>(_ string: String, into output: inout Output) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if index > runStart { output.append(bytes: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                output.append(0x5C)
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                default:
                    output.append(UInt8(ascii: "u"))
                    output.append(UInt8(ascii: "0"))
                    output.append(UInt8(ascii: "0"))
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            if bytes.count > runStart { output.append(bytes: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
        }
        output.append(UInt8(ascii: "\""))
    }
}
