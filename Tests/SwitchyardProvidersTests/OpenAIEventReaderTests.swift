import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardProviders

/// ``OpenAIEventReader`` hands plain chunks over as the provider's bytes and reads the rest; for
/// any split of a stream into buffers it must give the chunks the standard parser gives.
@Suite("OpenAI event reader")
struct OpenAIEventReaderTests {
    /// A stream with plain chunks, `"usage":null`, a comment, an event in CRLF form, one with two
    /// `data:` lines, a usage chunk and the end marker, and bytes after it that must be ignored.
    static let stream: String = {
        var text = ""
        text += "data: " + #"{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"usage":null}"# + "\n\n"
        for index in 0..<6 {
            text += "data: " + #"{"id":"c","choices":[{"index":0,"delta":{"content":" word\#(index) \"error\" usage"}}],"usage":null}"# + "\n\n"
        }
        text += ": keep-alive\n\n"
        text += "data: " + #"{"id":"c","choices":[{"index":0,"delta":{"content":" crlf"}}]}"# + "\r\n\r\n"
        text += "data: {\"id\":\"c\",\n" + "data: \"choices\":[{\"index\":0,\"delta\":{\"content\":\" two lines\"}}]}\n\n"
        for index in 6..<9 {
            text += "data: " + #"{"id":"c","choices":[{"index":0,"delta":{"content":" word\#(index)"}}],"usage":null}"# + "\n\n"
        }
        text += "data: " + #"{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":11,"total_tokens":14}}"# + "\n\n"
        text += "data: [DONE]\n\n"
        text += "data: " + #"{"id":"after","choices":[]}"# + "\n\n"
        return text
    }()

    /// The chunks the standard parser reads from `text`, up to the end marker.
    static func parsedChunks(_ text: String) throws -> [ChatStreamChunk] {
        var parser = ServerSentEventParser()
        var chunks: [ChatStreamChunk] = []
        for event in try parser.feed(Array(text.utf8)) {
            if event.isDone { break }
            chunks.append(try #require(ChatStreamChunk(data: event.data)))
        }
        return chunks
    }

    /// What the reader gives for `text` cut at `cuts`, with at most `limit` chunks a step: the
    /// chunks (runs split into single events), and how many were handed over as bytes.
    static func read(_ text: String, cuts: [Int], limit: Int = .max) throws -> (chunks: [ChatStreamChunk], asBytes: Int, ended: Bool) {
        let bytes = Array(text.utf8)
        var buffers: [ByteBuffer] = []
        var start = 0
        for cut in cuts.sorted() + [bytes.count] where cut >= start {
            buffers.append(ByteBuffer(bytes: bytes[start..<cut]))
            start = cut
        }
        var reader = OpenAIEventReader()
        var chunks: [ChatStreamChunk] = []
        var asBytes = 0
        while true {
            switch try reader.nextStep(limit: limit) {
            case .end:
                return (chunks, asBytes, true)
            case .needsBytes:
                guard !buffers.isEmpty else { return (chunks, asBytes, false) }
                try reader.feed(buffers.removeFirst())
            case .step(.chunk(let chunk)):
                chunks.append(chunk)
            case .step(.events(let run, let count)):
                #expect(count <= limit)
                let events = String(buffer: run).components(separatedBy: "\n\n").dropLast()
                #expect(events.count == count)
                for event in events {
                    #expect(event.hasPrefix("data: "))
                    chunks.append(OpenAIEventReader.chunk(fromPlainEvent: ByteBuffer(string: event + "\n\n")))
                }
                asBytes += count
            }
        }
    }

    static func same(_ left: [ChatStreamChunk], _ right: [ChatStreamChunk]) -> Bool {
        left.count == right.count
            && zip(left, right).allSatisfy { $0.data == $1.data && $0.usage == $1.usage && $0.isUsageOnly == $1.isUsageOnly }
    }

    @Test("a stream in one buffer: plain chunks come as bytes in runs, the rest as read chunks, the same as parsed")
    func wholeBuffer() throws {
        let expected = try Self.parsedChunks(Self.stream)
        #expect(expected.count == 13)
        let (chunks, asBytes, ended) = try Self.read(Self.stream, cuts: [])
        #expect(ended)
        #expect(Self.same(chunks, expected))
        // The opening chunk, the six words and the three after the two-line event; the parser
        // reads the comment, the CRLF event and the two-line one, and the usage chunk is read.
        #expect(asBytes == 10)
        #expect(chunks.last?.usage == TokenUsage(promptTokens: 3, completionTokens: 11))
    }

    @Test("every single cut and limits of one and two give the parsed chunks")
    func everyCut() throws {
        let expected = try Self.parsedChunks(Self.stream)
        let length = Self.stream.utf8.count
        for cut in 0...length {
            for limit in [1, 2, Int.max] {
                let (chunks, _, ended) = try Self.read(Self.stream, cuts: [cut], limit: limit)
                #expect(ended, "cut at \(cut)")
                #expect(Self.same(chunks, expected), "cut at \(cut), limit \(limit)")
            }
        }
    }

    @Test("random cuts into many buffers give the parsed chunks, and a stream without odd events is read in place")
    func randomCuts() throws {
        var generator = SystemRandomNumberGenerator()
        let expected = try Self.parsedChunks(Self.stream)
        let length = Self.stream.utf8.count
        for _ in 0..<300 {
            let cuts = (0..<Int.random(in: 1...12, using: &generator)).map { _ in Int.random(in: 0...length, using: &generator) }
            let (chunks, _, ended) = try Self.read(Self.stream, cuts: cuts, limit: Int.random(in: 1...4, using: &generator))
            #expect(ended)
            #expect(Self.same(chunks, expected), "cuts \(cuts.sorted())")
        }
        // Cut only between events, a plain stream never needs the parser.
        let plain = (0..<20).map { "data: " + #"{"choices":[{"delta":{"content":"w\#($0)"}}],"usage":null}"# + "\n\n" }
        let text = plain.joined() + "data: [DONE]\n\n"
        var boundaries: [Int] = []
        var offset = 0
        for event in plain.prefix(19) {
            offset += event.utf8.count
            if Bool.random(using: &generator) { boundaries.append(offset) }
        }
        let (chunks, asBytes, ended) = try Self.read(text, cuts: boundaries)
        #expect(ended && chunks.count == 20 && asBytes == 20)
        // A cut inside an event: only that event is read by the parser, the rest in place.
        for cut in [offset - 40, offset - 1, offset + 1] {
            let (chunks, asBytes, ended) = try Self.read(text, cuts: [cut])
            #expect(ended && chunks.count == 20 && asBytes == 19, "cut at \(cut)")
        }
    }

    @Test("an error event ends the stream with the provider's error")
    func errorEvent() throws {
        let text = "data: " + #"{"choices":[{"delta":{"content":"a"}}],"usage":null}"# + "\n\n"
            + "data: " + #"{"error":{"message":"slow down","code":"rate_limit_exceeded"}}"# + "\n\n"
        var reader = OpenAIEventReader()
        try reader.feed(ByteBuffer(string: text))
        guard case .step(.events(_, 1)) = try reader.nextStep(limit: .max) else {
            Issue.record("the first chunk was not handed over as bytes")
            return
        }
        #expect(throws: ProviderError.rateLimited(retryAfter: nil, message: "slow down")) { try reader.nextStep(limit: .max) }
        #expect(reader.finished)
    }

    @Test("data that is not a JSON object is a malformed response")
    func malformed() throws {
        var reader = OpenAIEventReader()
        try reader.feed(ByteBuffer(string: "data: not json\n\n"))
        #expect(throws: ProviderError.self) { try reader.nextStep(limit: .max) }
    }
}
