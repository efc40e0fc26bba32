import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore

/// Collects a response body into one buffer, up to a limit.
final class BodyCollector: ResponseBodyWriter {
    private(set) var collected = ByteBuffer()
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        guard collected.readableBytes + buffer.readableBytes <= limit else {
            throw GatewayError(status: 502, type: "server_error", code: "answer_too_large", message: "The answer is too large to translate.")
        }
        collected.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
