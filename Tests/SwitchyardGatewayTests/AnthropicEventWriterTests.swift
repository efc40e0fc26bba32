import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway

@Suite("Anthropic event writer")
struct AnthropicEventWriterTests {
    /// A chat stream as the chat route writes it, with one event in another form (a comment and
    /// CR LF line ends) that only the parser reads.
    static let stream = [
        #"data: {"id":"c1","model":"sim","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        "",
        #"data: {"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
        "",
        ": a comment\r\ndata: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\r\n\r",
        #"data: {"id":"c1","choices":[{"index":0,"delta":{"content":" w\u00f6rld"},"finish_reason":"stop"}]}"#,
        "",
        #"data: {"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
        "",
        "data: [DONE]",
        "",
        "",
    ].joined(separator: "\n")

    /// The Anthropic events written for `stream` fed in `pieces`, as (name, data).
    static func events(_ pieces: [ArraySlice<UInt8>]) async throws -> [[JSONValue]] {
        let collected = Collected()
        var writer = CollectingWriter(collected: collected).anthropicEvents()
        for piece in pieces { try await writer.write(ByteBuffer(bytes: piece)) }
        try await writer.finish(nil)
        var parser = ServerSentEventParser()
        return try parser.feed(collected.bytes.withLock { $0 }).map { [.string($0.event ?? ""), try JSONParser.parse($0.data)] }
    }

    @Test("a stream cut at any byte gives the events of the stream written whole")
    func cutAnywhere() async throws {
        let bytes = Array(Self.stream.utf8)
        let whole = try await Self.events([bytes[...]])
        #expect(whole.map { $0[0] } == [
            "message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop",
        ])
        #expect(whole[2][1]["delta"]?["text"] == "Hel" && whole[3][1]["delta"]?["text"] == "lo" && whole[4][1]["delta"]?["text"] == " wörld")
        #expect(whole[6][1]["usage"]?["output_tokens"] == 4)
        for cut in 1..<bytes.count {
            let pieces = [bytes[..<cut], bytes[cut...]]
            #expect(try await Self.events(pieces) == whole, "cut at \(cut)")
        }
        #expect(try await Self.events(bytes.map { [$0][...] }) == whole)
    }
}

private final class Collected: Sendable {
    let bytes = Mutex<[UInt8]>([])
}

private struct CollectingWriter: ResponseBodyWriter {
    let collected: Collected

    mutating func write(_ buffer: ByteBuffer) async throws {
        collected.bytes.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
