/// Where JSON text is written: a byte array, or ``JSONBytes``.
@usableFromInline
protocol JSONOutput: ~Copyable {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONOutput where Element == UInt8 {
    @inlinable
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: bytes)
    }
}

extension JSONOutput where Self: ~Copyable {
    /// Appends the UTF-8 of `text`.
    @inlinable
    mutating func append(_ text: StaticString) {
        append(bytes: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// The growing bytes of a JSON text that a writer builds (the decision record, gate reports).
///
/// An array checks that its storage is unshared at every append, a call into the runtime for
/// each byte of punctuation; these bytes have one owner (the type is not copyable), so an append
/// is a bounds check and a store.
@usableFromInline
struct JSONBytes: ~Copyable, JSONOutput {
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int

    /// Empty, with room for `capacity` bytes (none allocated for 0).
    @usableFromInline
    init(capacity: Int) {
        self.capacity = max(0, capacity)
        self.count = 0
        self.start = self.capacity > 0 ? .allocate(capacity: self.capacity) : Self.noStorage
    }

    deinit {
        if capacity > 0 { start.deallocate() }
    }

    /// A stand-in for the storage of an empty buffer that has none.
    @usableFromInline static var noStorage: UnsafeMutablePointer<UInt8> { UnsafeMutablePointer(bitPattern: 1)! }

    @inlinable
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        start[count] = byte
        count += 1
    }

    @inlinable
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if count + bytes.count > capacity { grow(toHold: count + bytes.count) }
        (start + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Moves the bytes to storage for at least `needed` bytes (at least twice the old size).
    @usableFromInline
    mutating func grow(toHold needed: Int) {
        let newCapacity = max(needed, capacity * 2, 64)
        let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if count > 0 { newStart.update(from: start, count: count) }
        if capacity > 0 { start.deallocate() }
        start = newStart
        capacity = newCapacity
    }

    /// Takes the bytes, leaving this buffer empty without storage.
    @usableFromInline
    mutating func take() -> JSONBytes {
        var taken = JSONBytes(capacity: 0)
        swap(&self, &taken)
        return taken
    }

    /// The bytes written so far.
    @inlinable
    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// The bytes as an array (a copy).
    @usableFromInline
    var array: [UInt8] { Array(buffer) }

    /// The bytes as text (a copy; they are UTF-8 as written).
    @usableFromInline
    var string: String { String(decoding: buffer, as: UTF8.self) }
}

/// The bytes have exactly one owner (the type is not copyable), so sending the value moves the
/// memory with it; nothing else can reach the pointer.
extension JSONBytes: @unchecked Sendable {}
