import Foundation

/// The short form in which the ledger stores its largest JSON columns (the decision record and
/// the gate reports): each member name from a fixed table, written `"name":` in JSON, is one or
/// two bytes instead. About half of a decision record's bytes are its member names, and a
/// ledger row's bytes are most of what SQLite spends writing it.
///
/// A token is a control byte, which JSON text never holds raw: ``JSONWriter`` escapes control
/// characters inside strings and writes no whitespace between tokens. So ``expand(_:)`` turns a
/// short text back into exactly the JSON it stands for, and leaves JSON without tokens (rows
/// written before the tokens existed) as it is. Tab, line feed and carriage return are never
/// tokens, so even JSON with whitespace in it reads back unchanged.
///
/// * Writers name members with ``JSONMemberName``'s constants, which carry their tokens, or
///   with string literals, which are looked up in the table.
/// * The first ``oneByteCodes``.count names are one byte each.
/// * The rest are ``twoByteMarker`` followed by one printable ASCII byte (`!` for the first).
///
/// The table only grows at its end: a name's position is its token in every row stored so far.
/// `SQLiteStore` keeps a view (`ledger_json`) that expands the tokens in SQL, rebuilt from this
/// table when it has grown.
public enum JSONMemberTokens {
    /// Member names, most frequent in a decision record first (they get the one-byte codes):
    /// ``JSONMemberName``'s constants, in order. Append only.
    static let names: [StaticString] = JSONMemberName.all.map(\.name)

    /// The bytes that stand for the first names, in order: every control byte but NUL, tab,
    /// line feed, carriage return and ``twoByteMarker``.
    static let oneByteCodes: [UInt8] = Array(0x01...0x1E).filter { ![0x09, 0x0A, 0x0D].contains($0) }

    /// The first byte of a two-byte token; the second is `0x21` plus the name's position after
    /// the one-byte names.
    static let twoByteMarker: UInt8 = 0x1F
    static let firstSecondByte: UInt8 = 0x21
    static let lastSecondByte: UInt8 = 0x7E

    /// The token of each name, one or two bytes, by position in ``names``.
    static let tokens: [[UInt8]] = names.indices.map(token(atPosition:))

    /// The token of the name at `position` in the table.
    static func token(atPosition position: Int) -> [UInt8] {
        position < oneByteCodes.count
            ? [oneByteCodes[position]]
            : [twoByteMarker, firstSecondByte + UInt8(position - oneByteCodes.count)]
    }

    /// Name positions by hash: open addressing over a power-of-two table, `-1` for empty.
    private static let slots: [Int16] = {
        var slots = [Int16](repeating: -1, count: slotCount)
        for position in names.indices {
            let name = names[position]
            var slot = hash(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            while slots[slot] >= 0 { slot = (slot + 1) & (slotCount - 1) }
            slots[slot] = Int16(position)
        }
        return slots
    }()
    private static let slotCount = 256

    /// A slot from the length and the first and last two bytes (no loop over the name),
    /// multiplied by the golden ratio and cut to the top 8 bits. Over this table it collides 16
    /// times in all.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let count = bytes.count
        let key = UInt64(truncatingIfNeeded: count) | UInt64(bytes[0]) << 8 | UInt64(bytes[1]) << 16
            | UInt64(bytes[count - 1]) << 24 | UInt64(bytes[count - 2]) << 32
        return Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56)
    }

    /// The position in ``names`` of the name whose UTF-8 is `bytes`, if the table holds it.
    static func position(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 2 else { return nil }  // the table's shortest name is "id"
        return slots.withUnsafeBufferPointer { slots in
            var slot = hash(bytes)
            while true {
                let position = Int(slots[slot])
                guard position >= 0 else { return nil }
                let name = names[position]
                if name.utf8CodeUnitCount == bytes.count, memcmp(name.utf8Start, bytes.baseAddress!, bytes.count) == 0 { return position }
                slot = (slot + 1) & (slotCount - 1)
            }
        }
    }

    /// Appends the token for `name` to `output`; returns `false`, appending nothing, when the
    /// table does not hold it.
    static func appendToken<Output: JSONOutput & ~Copyable>(
        forName name: UnsafeBufferPointer<UInt8>, to output: inout Output
    ) -> Bool {
        guard let position = position(of: name) else { return false }
        for byte in tokens[position] { output.append(byte) }
        return true
    }

    /// The name a token stands for, from its first byte and, for a two-byte token, its second;
    /// `nil` for a byte that is not a token this build knows.
    static func name(first: UInt8, second: UInt8?) -> StaticString? {
        if first == twoByteMarker {
            guard let second, second >= firstSecondByte, second <= lastSecondByte else { return nil }
            let position = oneByteCodes.count + Int(second - firstSecondByte)
            return position < names.count ? names[position] : nil
        }
        return oneByteTable[Int(first)].map { names[$0] }
    }

    /// Name positions by one-byte code (`nil` for the bytes that are not one).
    private static let oneByteTable: [Int?] = {
        var table = [Int?](repeating: nil, count: 32)
        for (position, code) in oneByteCodes.enumerated() where position < names.count { table[Int(code)] = position }
        return table
    }()

    /// `text` with every token written out as `"name":` — plain JSON. Text without tokens is
    /// returned as it is, without a copy. A control byte that is no token this build knows is
    /// kept as it is.
    public static func expand(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard let firstToken = bytes.firstIndex(where: { $0 < 0x20 }) else { return nil }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count * 2)
            output.append(contentsOf: bytes[..<firstToken])
            var index = firstToken
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                guard byte < 0x20 else {
                    output.append(byte)
                    continue
                }
                let second = index < bytes.count ? bytes[index] : nil
                guard let name = name(first: byte, second: second) else {
                    output.append(byte)
                    continue
                }
                if byte == twoByteMarker { index += 1 }
                output.append(UInt8(ascii: "\""))
                output.append(name)
                output.append(UInt8(ascii: "\""))
                output.append(UInt8(ascii: ":"))
            }
            return String(decoding: output, as: UTF8.self)
        } ?? text
    }

    /// SQL expressions that together expand the tokens in `column` (a text column), for readers
    /// of the database that do not go through Switchyard: nested `replace` calls, one per name,
    /// at most `namesPerStep` deep in each expression (SQLite's parser refuses about 25). Each
    /// applies to `column` as the one before it left it.
    public static func sqlExpansionSteps(of column: String, namesPerStep: Int = 16) -> [String] {
        stride(from: 0, to: names.count, by: namesPerStep).map { first in
            var sql = column
            for position in first..<min(names.count, first + namesPerStep) {
                let codes = tokens[position].map(String.init).joined(separator: ", ")
                sql = "replace(\(sql), char(\(codes)), '\"\(names[position])\":')"
            }
            return sql
        }
    }
}
