/// Writes one JSON object member by member straight into compact UTF-8 bytes, for records with
/// a fixed shape that are built on every request (the decision record): no intermediate
/// ``JSONValue`` tree to allocate, encode and free.
///
/// Members come out in the order they are written; a `nil` optional is written as `null`.
/// Numbers are formatted as ``JSONWriter`` formats them, so a record reads back the same
/// whichever writer produced it.
public struct JSONObjectWriter: Sendable {
    @usableFromInline var output: [UInt8]
    private var isFirstMember = true

    /// Starts an object (`{`).
    public init(reservingCapacity capacity: Int = 1024) {
        output = []
        output.reserveCapacity(capacity)
        output.append(UInt8(ascii: "{"))
    }

    /// Continues in `buffer` (for a nested object); `appendObject` hands the buffer back.
    private init(continuing buffer: inout [UInt8]) {
        output = []
        swap(&output, &buffer)
        output.append(UInt8(ascii: "{"))
    }

    /// Closes the object and returns its bytes.
    public consuming func finish() -> [UInt8] {
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// Closes the object and returns its text.
    public consuming func finishString() -> String {
        String(decoding: finish(), as: UTF8.self)
    }

    /// A top-level JSON array with one object per element, whose members `body` writes (a
    /// ledger column, for instance).
    ///
    /// Inlinable, like ``objects(_:_:_:)``, so that callers in other modules get it specialised
    /// for their element type: run generically, iterating the elements allocated on every call.
    @inlinable
    public static func arrayText<Elements: Sequence>(
        _ elements: Elements, _ body: (inout JSONObjectWriter, Elements.Element) -> Void
    ) -> String {
        var writer = JSONObjectWriter(reservingCapacity: 256)
        writer.output.removeAll(keepingCapacity: true)
        writer.appendArray(elements, body)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// Writes the comma that separates this member from the previous one, if any.
    private mutating func beginMember() {
        if isFirstMember {
            isFirstMember = false
        } else {
            output.append(UInt8(ascii: ","))
        }
    }

    /// Writes `,"name":` (or `"name":` for the first member).
    @usableFromInline
    mutating func key(_ name: StaticString) {
        beginMember()
        output.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }

    /// Writes `,"name":` for a name known only at run time.
    private mutating func key(_ name: String) {
        beginMember()
        JSONWriter.writeString(name, into: &output)
        output.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { JSONWriter.writeString(value, into: &output) } else { output.append(contentsOf: "null".utf8) }
    }

    public mutating func int(_ name: StaticString, _ value: Int?) {
        key(name)
        if let value { JSONWriter.writeInteger(Int64(value), into: &output) } else { output.append(contentsOf: "null".utf8) }
    }

    public mutating func double(_ name: StaticString, _ value: Double?) {
        key(name)
        if let value { JSONWriter.writeDouble(value, into: &output) } else { output.append(contentsOf: "null".utf8) }
    }

    public mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes an arbitrary value (a tree some other component produced).
    public mutating func value(_ name: StaticString, _ value: JSONValue) {
        key(name)
        JSONWriter.write(value, into: &output)
    }

    /// Writes a member whose value is JSON text serialised already (by ``JSONWriter``, say),
    /// copied as it is.
    public mutating func json(_ name: StaticString, _ text: String) {
        key(name)
        output.append(contentsOf: text.utf8)
    }

    /// Writes an arbitrary value under a name known only at run time.
    public mutating func value(named name: String, _ value: JSONValue) {
        key(name)
        JSONWriter.write(value, into: &output)
    }

    /// Writes a nested object whose members `body` writes.
    public mutating func object(_ name: StaticString, _ body: (inout JSONObjectWriter) -> Void) {
        key(name)
        appendObject(body)
    }

    /// Writes a nested object under a name known only at run time.
    public mutating func object(named name: String, _ body: (inout JSONObjectWriter) -> Void) {
        key(name)
        appendObject(body)
    }

    /// Writes an array with one object per element, whose members `body` writes.
    @inlinable
    public mutating func objects<Elements: Sequence>(
        _ name: StaticString, _ elements: Elements, _ body: (inout JSONObjectWriter, Elements.Element) -> Void
    ) {
        key(name)
        appendArray(elements, body)
    }

    /// Writes an array of strings.
    public mutating func strings(_ name: StaticString, _ values: [String]) {
        key(name)
        output.append(UInt8(ascii: "["))
        for position in values.indices {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(values[position], into: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    @inlinable
    mutating func appendArray<Elements: Sequence>(
        _ elements: Elements, _ body: (inout JSONObjectWriter, Elements.Element) -> Void
    ) {
        output.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            appendObject { body(&$0, element) }
        }
        output.append(UInt8(ascii: "]"))
    }

    @usableFromInline
    mutating func appendObject(_ body: (inout JSONObjectWriter) -> Void) {
        var nested = JSONObjectWriter(continuing: &output)
        body(&nested)
        nested.output.append(UInt8(ascii: "}"))
        swap(&output, &nested.output)
    }
}
