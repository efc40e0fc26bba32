import NIOCore
import NIOHTTP1

extension UpstreamRequest {
    /// The request's HTTP/1.1 bytes, head and body in one buffer, so one write carries the
    /// whole request: the request line, the caller's headers (but the four the connection
    /// manages), `host` and `content-length`, then the body.
    ///
    /// It checks what SwiftNIO's header validator would: the target has no spaces or control
    /// bytes, header names are RFC 9110 tokens and values hold no CR, LF or NUL, so nothing a
    /// caller passes on can split the request.
    ///
    /// - Throws: ``UpstreamError/invalidRequest(_:)`` naming the first part that fails.
    func rendered(hostHeader: String, allocator: ByteBufferAllocator) throws(UpstreamError) -> ByteBuffer {
        guard !path.isEmpty, path.utf8.allSatisfy(\.isRequestTargetByte) else {
            throw .invalidRequest("the request target \(path.debugDescription) has a space or a control character")
        }
        var buffer = allocator.buffer(capacity: 160 + path.utf8.count + body.readableBytes + 64 * headers.count)
        buffer.writeString(method.rawValue)
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(path)
        buffer.writeStaticString(" HTTP/1.1\r\n")
        for (name, value) in headers where !Self.isManaged(name) {
            guard !name.isEmpty, name.utf8.allSatisfy(\.isHeaderNameByte) else {
                throw .invalidRequest("the header name \(name.debugDescription) is not a token")
            }
            guard value.utf8.allSatisfy(\.isHeaderValueByte) else {
                throw .invalidRequest("the value of header \(name) has a line break or NUL")
            }
            buffer.writeHeaderLine(name, value)
        }
        buffer.writeHeaderLine("host", hostHeader)
        buffer.writeStaticString("content-length: ")
        buffer.writeString(String(body.readableBytes))
        buffer.writeStaticString("\r\n\r\n")
        buffer.writeImmutableBuffer(body)
        return buffer
    }

    /// Headers the connection sets itself (`host`, `content-length`) or that would change the
    /// framing it owns (`connection`, `transfer-encoding`); the caller's are left out.
    static func isManaged(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: return name.equalsIgnoringASCIICase("host")
        case 10: return name.equalsIgnoringASCIICase("connection")
        case 14: return name.equalsIgnoringASCIICase("content-length")
        case 17: return name.equalsIgnoringASCIICase("transfer-encoding")
        default: return false
        }
    }
}

/// The outbound end of an upstream connection's pipeline, where SwiftNIO's request encoder would
/// sit: ``UpstreamConnection`` renders each request's bytes itself
/// (``UpstreamRequest/rendered(hostHeader:allocator:)``) and hands them to ``send(_:)``, which
/// writes them from here, so they do not pass the response decoder and this handler as a body
/// part first. Parts written down the pipeline are passed on if they are bodies and dropped
/// otherwise.
///
/// The connection still writes a head part, with the method only, down the pipeline: the
/// response decoder between the two takes each request's method from it to know which responses
/// have no body (those to `HEAD`).
final class UpstreamRequestBytesWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = IOData

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes and flushes a request's bytes toward the socket (on the channel's event loop).
    /// Once the handler has left the pipeline the channel is closing, and its exchange fails
    /// with it.
    func send(_ bytes: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(let bytes):
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .head, .end:
            promise?.succeed()
        }
    }
}

extension ByteBuffer {
    /// Appends `name: value` and the line's end.
    fileprivate mutating func writeHeaderLine(_ name: String, _ value: String) {
        writeString(name)
        writeStaticString(": ")
        writeString(value)
        writeStaticString("\r\n")
    }
}

extension String {
    /// Whether the string is `lowercase` (ASCII, lower case) but for the case of its letters.
    fileprivate func equalsIgnoringASCIICase(_ lowercase: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return utf8.elementsEqual(expected) { byte, lower in
            byte == lower || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == lower)
        }
    }
}

extension UInt8 {
    /// A byte of an origin-form request target: visible ASCII or UTF-8, no space or control.
    fileprivate var isRequestTargetByte: Bool { self > 0x20 && self != 0x7F }

    /// A `tchar` of RFC 9110: the bytes a header name may hold.
    fileprivate var isHeaderNameByte: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// A byte a header value may hold on the wire: anything but CR, LF and NUL.
    fileprivate var isHeaderValueByte: Bool { self != 0x0D && self != 0x0A && self != 0x00 }
}
