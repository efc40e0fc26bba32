/// Writes one JSON object member by member straight into compact UTF-8 bytes, for records with
/// a fixed shape that are built on every request (the decision record): no intermediate
/// ``JSONValue`` tree to allocate, encode and free.
///
/// Members come out in the order they are written; a `nil` optional is written as `null`.
/// Numbers are formatted as ``JSONWriter`` formats them, so a record reads back the same
/// whichever writer produced it.
///
/// Members are named by ``JSONMemberName``: one of its constants, or a string literal. With
/// `namesAsTokens`, member names from ``JSONMemberTokens``' table are written as its tokens
/// (the ledger's stored form, which ``JSONMemberTokens/expand(_:)`` turns back into this JSON),
/// in nested objects too; other names are written as JSON.
///
/// Not copyable: the bytes have one owner, so appending needs no check that they are unshared.
public struct JSONObjectWriter: ~Copyable, Sendable {
    private var output: JSONBytes
    private var isFirstMember = true
    private let namesAsTokens: Bool

    /// Starts an object (`{`).
    public init(reservingCapacity capacity: Int = 1024, namesAsTokens: Bool = false) {
        output = JSONBytes(capacity: capacity)
        output.append(UInt8(ascii: "{"))
        self.namesAsTokens = namesAsTokens
    }

    /// Continues in `bytes` (for a nested object); `appendObject` takes them back.
    private init(continuing bytes: consuming JSONBytes, namesAsTokens: Bool) {
        output = bytes
        output.append(UInt8(ascii: "{"))
        self.namesAsTokens = namesAsTokens
    }

    /// Starts a top-level array rather than an object (see ``arrayText(_:namesAsTokens:_:)``).
    @usableFromInline
    init(forArrayReservingCapacity capacity: Int, namesAsTokens: Bool) {
        output = JSONBytes(capacity: capacity)
        self.namesAsTokens = namesAsTokens
    }

    /// The text written so far, as it is (a top-level array's).
    @usableFromInline
    consuming func text() -> String {
        output.string
    }

    /// Closes the object and returns its bytes.
    public consuming func finish() -> [UInt8] {
        output.append(UInt8(ascii: "}"))
        return output.array
    }

    /// Closes the object and returns its text.
    public consuming func finishString() -> String {
        output.append(UInt8(ascii: "}"))
        return output.string
    }

    /// A top-level JSON array with one object per element, whose members `body` writes (a
    /// ledger column, for instance), with member names as tokens if `namesAsTokens`.
    ///
    /// Inlinable, like ``objects(_:_:_:)``, so that callers in other modules get it specialised
    /// for their element type: run generically, iterating the elements allocated on every call.
    @inlinable
    public static func arrayText<Elements: Sequence>(
        _ elements: Elements, namesAsTokens: Bool = false, _ body: (inout JSONObjectWriter, Elements.Element) -> Void
    ) -> String {
        var writer = JSONObjectWriter(forArrayReservingCapacity: 256, namesAsTokens: namesAsTokens)
        writer.appendArray(elements, body)
        return writer.text()
    }

    /// Writes the comma that separates this member from the previous one, if any.
    private mutating func beginMember() {
        if isFirstMember {
            isFirstMember = false
        } else {
            output.append(UInt8(ascii: ","))
        }
    }

    /// Writes `,"name":` (or `"name":` for the first member), or the name's token if the table
    /// holds it.
    private mutating func key(_ name: StaticString) {
        beginMember()
        if namesAsTokens,
            JSONMemberTokens.appendToken(forName: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), to: &output)
        {
            return
        }
        output.append(UInt8(ascii: "\""))
        output.append(name)
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }

    /// Writes `,"name":` (or `"name":` for the first member), or the name's token, which it
    /// carries.
    @usableFromInline
    mutating func key(_ member: JSONMemberName) {
        guard namesAsTokens, member.tokenLength > 0 else { return key(member.name) }
        beginMember()
        output.append(UInt8(truncatingIfNeeded: member.token))
        if member.tokenLength > 1 { output.append(UInt8(truncatingIfNeeded: member.token >> 8)) }
    }

    /// Writes `,"name":` for a name known only at run time, or the name's token.
    private mutating func key(_ name: String) {
        beginMember()
        if namesAsTokens {
            var name = name
            if name.withUTF8({ JSONMemberTokens.appendToken(forName: $0, to: &output) }) { return }
        }
        JSONWriter.emitString(name, into: &output)
        output.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ name: JSONMemberName, _ value: String?) {
        key(name)
        if let value { JSONWriter.emitString(value, into: &output) } else { output.append("null") }
    }

    public mutating func int(_ name: JSONMemberName, _ value: Int?) {
        key(name)
        if let value { JSONWriter.writeInteger(Int64(value), into: &output) } else { output.append("null") }
    }

    public mutating func double(_ name: JSONMemberName, _ value: Double?) {
        key(name)
        if let value { JSONWriter.writeDouble(value, into: &output) } else { output.append("null") }
    }

    public mutating func bool(_ name: JSONMemberName, _ value: Bool) {
        key(name)
        output.append(value ? "true" : "false")
    }

    /// Writes an arbitrary value (a tree some other component produced).
    public mutating func value(_ name: JSONMemberName, _ value: JSONValue) {
        key(name)
        JSONWriter.emit(value, into: &output)
    }

    /// Writes a member whose value is JSON text serialised already (by ``JSONWriter``, say),
    /// copied as it is.
    public mutating func json(_ name: JSONMemberName, _ text: String) {
        key(name)
        var text = text
        text.withUTF8 { output.append(bytes: $0) }
    }

    /// Writes an arbitrary value under a name known only at run time.
    public mutating func value(named name: String, _ value: JSONValue) {
        key(name)
        JSONWriter.emit(value, into: &output)
    }

    /// Writes a nested object whose members `body` writes.
    public mutating func object(_ name: JSONMemberName, _ body: (inout JSONObjectWriter) -> Void) {
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
        _ name: JSONMemberName, _ elements: Elements, _ body: (inout JSONObjectWriter, Elements.Element) -> Void
    ) {
        key(name)
        appendArray(elements, body)
    }

    /// Writes an array of strings.
    public mutating func strings(_ name: JSONMemberName, _ values: [String]) {
        key(name)
        JSONWriter.emitStrings(values, into: &output)
    }

    @inlinable
    mutating func appendArray<Elements: Sequence>(
        _ elements: Elements, _ body: (inout JSONObjectWriter, Elements.Element) -> Void
    ) {
        appendByte(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { appendByte(UInt8(ascii: ",")) }
            first = false
            appendObject { body(&$0, element) }
        }
        appendByte(UInt8(ascii: "]"))
    }

    /// Appends one byte of punctuation (for the inlinable array writers, which cannot reach the
    /// bytes themselves).
    @usableFromInline
    mutating func appendByte(_ byte: UInt8) {
        output.append(byte)
    }

    @usableFromInline
    mutating func appendObject(_ body: (inout JSONObjectWriter) -> Void) {
        var nested = JSONObjectWriter(continuing: output.take(), namesAsTokens: namesAsTokens)
        body(&nested)
        nested.output.append(UInt8(ascii: "}"))
        output = nested.output.take()
    }
}
