import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import SwitchyardCore

/// Passes every write on, and reads the chat stream written into a shared transcript: the
/// answer of a streamed request sampled for shadow evaluation (see ``ShadowEvaluator``).
struct TranscribingWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let transcript: StreamAnswerTranscript

    @concurrent mutating func write(_ buffer: ByteBuffer) async throws {
        transcript.read(buffer)
        try await parent.write(buffer)
    }

    @concurrent consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await parent.finish(trailingHeaders)
    }
}

/// A stream's ``ChatStreamTranscript``, shared by the writer that reads the stream and the
/// handler that offers the answer once the stream has ended (the relay consumes the writer).
final class StreamAnswerTranscript: Sendable {
    private let transcript = Mutex(ChatStreamTranscript())

    func read(_ buffer: ByteBuffer) {
        transcript.withLock { $0.read(buffer.readableBytesView) }
    }

    /// The streamed answer, if the stream ended well (see ``ChatStreamTranscript/answer``).
    var answer: String? { transcript.withLock { $0.answer } }
}
