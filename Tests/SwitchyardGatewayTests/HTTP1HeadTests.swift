import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Testing

@testable import SwitchyardGateway

@Suite("Reading and writing HTTP/1 heads")
struct HTTP1HeadTests {
    static let targets = [
        "/v1/chat/completions", "/v1/decisions/abc?full=1&x=%20y", "/", "//double/slash", "/a b", "http://example.com/v1/models?x=1",
        "*",
    ]

    @Test("a request reads as the general conversion reads it", arguments: targets)
    func requestMatchesTheConversion(target: String) throws {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "gateway.test:8080")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Cookie", value: "a=1; b=2")
        headers.add(name: "X-Switchyard-Task", value: "classify")
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target, headers: headers)
        let general = try HTTPRequest(head, secure: false, splitCookie: false)
        let direct = try HTTP1Head.request(from: head)
        #expect(direct == general)
        #expect(direct.path == general.path)
        #expect(direct.authority == "gateway.test:8080")
        #expect(!direct.headerFields.contains { $0.name.canonicalName == "host" })
        #expect(direct.headerFields[.contentType] == "application/json")
    }

    @Test("a request without a Host header has no authority")
    func noHost() throws {
        let head = HTTPRequestHead(version: .http1_0, method: .GET, uri: "/healthz", headers: [:])
        let direct = try HTTP1Head.request(from: head)
        #expect(direct.authority == nil)
        #expect(direct.path == "/healthz")
        #expect(direct.method == .get)
    }

    @Test("the server's own headers are recognised, in any case, and no others")
    func serverHeaders() {
        #expect(HTTP1Head.isWrittenByServer(HTTPField.Name.date.canonicalName))
        #expect(HTTP1Head.isWrittenByServer(HTTPField.Name.server.canonicalName))
        #expect(HTTP1Head.isWrittenByServer(HTTPField.Name("Date")!.canonicalName))
        #expect(HTTP1Head.isWrittenByServer(HTTPField.Name("SERVER")!.canonicalName))
        for other in ["data", "dates", "servers", "x-server", "content-type", ""] {
            #expect(!HTTP1Head.isWrittenByServer(other), "\(other)")
        }
    }
}
