import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// What the direct HTTP/1 server reads from and writes into a message head, without the general
/// conversions' per-request work.
enum HTTP1Head {
    /// The request `head` describes: `HTTPRequest(head, secure: false, splitCookie: false)`, but
    /// an origin-form target (`/v1/…`, what clients send to a server) is taken as the path as it
    /// is. That conversion makes the same path of it, after parsing it as a URL.
    static func request(from head: HTTPRequestHead) throws -> HTTPRequest {
        guard head.uri.utf8.first == UInt8(ascii: "/") else { return try HTTPRequest(head, secure: false, splitCookie: false) }
        return HTTPRequest(
            method: try HTTPRequest.Method(head.method), scheme: "http", authority: head.headers["Host"].first, path: head.uri,
            headerFields: HTTPFields(head.headers, splitCookie: false))
    }

    /// Whether the server writes this header itself (`date`, `server`), so a response's own is
    /// dropped. Compared with literals: no header name is built per field.
    static func isWrittenByServer(_ canonicalName: String) -> Bool {
        switch canonicalName.utf8.count {
        case 4: return canonicalName == "date"
        case 6: return canonicalName == "server"
        default: return false
        }
    }
}
