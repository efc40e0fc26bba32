import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import SwitchyardCore
import SwitchyardProviders
import Testing

@testable import SwitchyardGateway

/// How ``StreamRelay`` groups a provider's chunks into writes: the first token is not held
/// behind chunks that arrived with it, later chunks that arrived together leave together, and
/// the stream's last bytes leave with the end of the body.
@Suite("Stream relay")
struct StreamRelayTests {
    @Test("chunks that arrive together: the first write carries the opening chunk and the first token, the rest leave with the end")
    func arrivingTogether() async throws {
        let chunks = (0..<6).map { Self.chunk("t\($0)") }
        let (outcome, writes) = try await Self.relayed(deliveries: [chunks])

        #expect(outcome.chunks == 6)
        #expect(writes.map(\.kind) == [.write, .finalWrite])
        #expect(Self.contents(writes[0].text) == ["t0", "t1"])
        #expect(Self.contents(writes[1].text) == ["t2", "t3", "t4", "t5"])
        #expect(writes[1].text.hasSuffix("data: [DONE]\n\n"))
    }

    @Test("chunks that arrive one at a time are written one at a time")
    func arrivingOneByOne() async throws {
        let chunks = (0..<4).map { Self.chunk("t\($0)") }
        let (_, writes) = try await Self.relayed(deliveries: chunks.map { [$0] })

        #expect(writes.map(\.kind) == [.write, .write, .write, .finalWrite])
        #expect(writes.map { Self.contents($0.text) } == [["t0"], ["t1"], ["t2"], ["t3"]])
        #expect(writes.last?.text.hasSuffix("data: [DONE]\n\n") == true)
    }

    @Test("past the first write, a backlog leaves in one write per arrival")
    func laterBacklog() async throws {
        let chunks = (0..<7).map { Self.chunk("t\($0)") }
        let (_, writes) = try await Self.relayed(deliveries: [[chunks[0]], [chunks[1]], Array(chunks[2...4]), Array(chunks[5...6])])

        #expect(writes.map { Self.contents($0.text) } == [["t0"], ["t1"], ["t2", "t3", "t4"], ["t5", "t6"]])
        #expect(writes.last?.kind == .finalWrite)
    }

    @Test("when the provider's body has not ended, the client gets the last events first and the end after it has")
    func providerEndsLate() async throws {
        let chunks = (0..<3).map { Self.chunk("t\($0)") }
        let (_, writes) = try await Self.relayed(deliveries: [chunks], endsLate: true)

        #expect(writes.map(\.kind) == [.write, .write, .awaitedProviderEnd, .finalWrite])
        #expect(Self.contents(writes[1].text) == ["t2"])
        #expect(writes[1].text.hasSuffix("data: [DONE]\n\n"))
        #expect(writes[3].text.isEmpty)
    }

    @Test("a writer that cannot end with bytes gets them as a write before the end")
    func plainWriter() async throws {
        let chunks = (0..<3).map { Self.chunk("t\($0)") }
        let (_, writes) = try await Self.relayed(deliveries: [chunks], finalWrites: false)

        #expect(writes.map(\.kind) == [.write, .write, .finish])
        #expect(Self.contents(writes[1].text) == ["t2"])
        #expect(writes[1].text.hasSuffix("data: [DONE]\n\n"))
    }

    @Test("a usage-only chunk is counted but not relayed when the client did not ask for usage")
    func usageOnly() async throws {
        let usage = try #require(ChatStreamChunk(data: #"{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#))
        let chunks = [Self.chunk("t0"), Self.chunk("t1"), usage]
        for includeUsage in [false, true] {
            let (outcome, writes) = try await Self.relayed(deliveries: [chunks], includeUsage: includeUsage)
            #expect(outcome.usage == TokenUsage(promptTokens: 3, completionTokens: 5))
            #expect(writes.map(\.text).joined().contains("completion_tokens") == includeUsage)
        }
    }

    @Test("a stream that fails after the first write ends with an error event in the last write")
    func failure() async throws {
        let chunks = (0..<3).map { Self.chunk("t\($0)") }
        let (outcome, writes) = try await Self.relayed(deliveries: [chunks], failure: .streamInterrupted(message: "cut"))

        #expect(outcome.error != nil)
        let last = try #require(writes.last)
        #expect(last.kind == .finalWrite)
        #expect(last.text.contains("\"error\""))
        #expect(!last.text.contains("[DONE]"))
    }

    @Test("a stream that hands over event bytes is written exactly as the same chunks read one by one")
    func eventBytes() async throws {
        let words = (0..<7).map { Self.chunk("t\($0)") }
        let usage = try #require(ChatStreamChunk(data: #"{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#))
        let scenarios: [[[ChatStreamChunk]]] = [
            [Array(words.prefix(6))],
            words.prefix(4).map { [$0] },
            [[words[0]], [words[1]], Array(words[2...4]), Array(words[5...6])],
            [[words[0], words[1], usage]],
            [Array(words[0...2]), [words[3], usage]],
        ]
        for deliveries in scenarios {
            for includeUsage in [false, true] {
                for endsLate in [false, true] {
                    let (byChunk, chunkWrites) = try await Self.relayed(deliveries: deliveries, endsLate: endsLate, includeUsage: includeUsage)
                    let (byBytes, byteWrites) = try await Self.relayed(
                        deliveries: deliveries, endsLate: endsLate, includeUsage: includeUsage, asEventBytes: true)
                    #expect(byBytes.chunks == byChunk.chunks)
                    #expect(byBytes.usage == byChunk.usage)
                    #expect(byteWrites.map(\.kind) == chunkWrites.map(\.kind))
                    #expect(byteWrites.map(\.text) == chunkWrites.map(\.text))
                }
            }
        }
    }

    /// Relays `deliveries` (see ``ScriptedStream``) to a recording writer that can end with bytes
    /// (`finalWrites`) or not; the first chunk is read before the relay starts, as the gateway does.
    private static func relayed(
        deliveries: [[ChatStreamChunk]], failure: ProviderError? = nil, endsLate: Bool = false, finalWrites: Bool = true,
        includeUsage: Bool = false, asEventBytes: Bool = false
    ) async throws -> (StreamRelay.Outcome, [WriteRecorder.Write]) {
        let recorder = WriteRecorder()
        var stream = ScriptedStream(deliveries: deliveries, failure: failure, endsLateFor: endsLate ? recorder : nil)
        var writer: any ResponseBodyWriter = finalWrites ? FinalWritingWriter(recorder: recorder) : PlainWriter(recorder: recorder)
        let relay = StreamRelay(includeUsage: includeUsage, logger: Logger(label: "test"))
        let first = try await stream.next()
        if asEventBytes {
            var wire = EventBytesStream(base: stream)
            let outcome = try await relay.relay(first: first, rest: &wire, to: &writer)
            #expect(wire.handedOverBytes)
            return (outcome, recorder.writes)
        }
        let outcome = try await relay.relay(first: first, rest: &stream, to: &writer)
        return (outcome, recorder.writes)
    }

    static func chunk(_ text: String) -> ChatStreamChunk {
        ChatStreamChunk(data: #"{"choices":[{"index":0,"delta":{"content":"\#(text)"}}],"usage":null}"#)!
    }

    /// The `content` of each event in `text`, in order.
    static func contents(_ text: String) -> [String] {
        text.split(separator: "\n\n").compactMap { event -> String? in
            guard let range = event.range(of: #""content":""#) else { return nil }
            return String(event[range.upperBound...].prefix { $0 != "\"" })
        }
    }
}

/// Chunks delivered in groups: those of one group are at hand together; the next group
/// arrives only when the relay asks for it. As in the gateway, the first chunk is read before
/// the relay starts, so the rest of its group is at hand.
private struct ScriptedStream: ChatCompletionStream {
    var deliveries: [[ChatStreamChunk]]
    var failure: ProviderError?
    private var current: [ChatStreamChunk] = []
    /// When set, the provider's body ends only once the relay waits for it, which is noted here.
    private let lateEnd: WriteRecorder?
    private var ended = false

    init(deliveries: [[ChatStreamChunk]], failure: ProviderError? = nil, endsLateFor recorder: WriteRecorder? = nil) {
        self.deliveries = deliveries
        self.failure = failure
        self.lateEnd = recorder
    }

    var providerResponseEnded: Bool { lateEnd == nil || ended }

    mutating func awaitProviderResponseEnd() async {
        lateEnd?.note(.awaitedProviderEnd, nil)
        ended = true
    }

    /// A chunk of the current group is left, or the stream ends with it (the end marker came
    /// with the last group; a failure comes later).
    var hasBufferedChunk: Bool { !current.isEmpty || (deliveries.isEmpty && failure == nil) }

    mutating func next() async throws(ProviderError) -> ChatStreamChunk? {
        if current.isEmpty {
            guard !deliveries.isEmpty else {
                if let failure { throw failure }
                return nil
            }
            current = deliveries.removeFirst()
        }
        return current.isEmpty ? nil : current.removeFirst()
    }
}

/// ``ScriptedStream`` as a ``WireEventStream``: chunks without usage, as many in a row as the
/// relay asks for and the current group holds, come as one run of event bytes.
private struct EventBytesStream: WireEventStream {
    var base: ScriptedStream
    private var held: ChatStreamChunk?
    private(set) var handedOverBytes = false

    init(base: ScriptedStream) { self.base = base }

    var hasBufferedChunk: Bool { held != nil || base.hasBufferedChunk }
    var providerResponseEnded: Bool { base.providerResponseEnded }
    mutating func awaitProviderResponseEnd() async { await base.awaitProviderResponseEnd() }

    mutating func next() async throws(ProviderError) -> ChatStreamChunk? {
        if let chunk = held {
            held = nil
            return chunk
        }
        return try await base.next()
    }

    mutating func nextStep(limit: Int) async throws(ProviderError) -> StreamRelayStep? {
        guard let first = try await next() else { return nil }
        guard first.usage == nil else { return .chunk(first) }
        var run = ByteBuffer(string: "data: \(first.data)\n\n")
        var count = 1
        while count < limit, base.hasBufferedChunk, let chunk = try await base.next() {
            guard chunk.usage == nil else {
                held = chunk
                break
            }
            run.writeString("data: \(chunk.data)\n\n")
            count += 1
        }
        handedOverBytes = true
        return .events(run, count: count)
    }
}

private final class WriteRecorder: Sendable {
    enum Kind: Equatable, Sendable { case write, finalWrite, finish, awaitedProviderEnd }
    struct Write: Sendable {
        var kind: Kind
        var text: String
    }

    private let log = Mutex<[Write]>([])
    var writes: [Write] { log.withLock { $0 } }

    func note(_ kind: Kind, _ buffer: ByteBuffer?) {
        log.withLock { $0.append(Write(kind: kind, text: buffer.map { String(buffer: $0) } ?? "")) }
    }
}

private struct FinalWritingWriter: ResponseBodyFinalWriter {
    let recorder: WriteRecorder

    mutating func write(_ buffer: ByteBuffer) async throws { recorder.note(.write, buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws { recorder.note(.finish, nil) }
    func finish(last: ByteBuffer) async throws { recorder.note(.finalWrite, last) }
}

private struct PlainWriter: ResponseBodyWriter {
    let recorder: WriteRecorder

    mutating func write(_ buffer: ByteBuffer) async throws { recorder.note(.write, buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws { recorder.note(.finish, nil) }
}
