import SwitchyardCore
import Testing

@Suite("Upstream endpoint")
struct UpstreamEndpointTests {
    @Test("scheme, host, port and base path are read once from base_url")
    func parses() throws {
        let openAI = try #require(UpstreamEndpoint(url: "https://api.openai.com/v1/"))
        #expect(openAI.usesTLS && openAI.host == "api.openai.com" && openAI.port == 443 && openAI.basePath == "/v1")
        #expect(openAI.hostHeader == "api.openai.com" && !openAI.hostIsAddress)

        let local = try #require(UpstreamEndpoint(url: "http://127.0.0.1:8080"))
        #expect(!local.usesTLS && local.port == 8080 && local.basePath == "" && local.hostHeader == "127.0.0.1:8080" && local.hostIsAddress)

        let v6 = try #require(UpstreamEndpoint(url: "HTTP://[::1]:9000/api/v1?x=1"))
        #expect(v6.host == "::1" && v6.port == 9000 && v6.basePath == "/api/v1" && v6.hostHeader == "[::1]:9000" && v6.hostIsAddress)
    }

    @Test("what is not an http(s) URL with a host is refused", arguments: ["ftp://x", "http://", "https://:443", "http://host:0", "http://host:99999", "http://host:abc", "localhost:8080", "http://[::1"])
    func refuses(url: String) {
        #expect(UpstreamEndpoint(url: url) == nil)
    }
}
