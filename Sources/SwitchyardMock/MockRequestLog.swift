import Synchronization
import SwitchyardCore

/// A request the mock received, kept so tests can check what the gateway sent upstream.
public struct MockRecordedRequest: Sendable {
    public var path: String
    /// Header names lower-cased; repeated headers joined with commas.
    public var headers: [String: String]
    public var body: JSONValue
    /// The body's bytes exactly as they arrived.
    public var rawBody: [UInt8]

    public init(path: String, headers: [String: String], body: JSONValue, rawBody: [UInt8]) {
        self.path = path
        self.headers = headers
        self.body = body
        self.rawBody = rawBody
    }
}

/// The most recent requests the mock received (bounded).
public final class MockRequestLog: Sendable {
    private let entries = Mutex<[MockRecordedRequest]>([])
    public let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = capacity
    }

    func append(_ request: MockRecordedRequest) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeFirst(entries.count - capacity + 1) }
            entries.append(request)
        }
    }

    /// The recorded requests, oldest first.
    public var requests: [MockRecordedRequest] {
        entries.withLock { $0 }
    }

    /// Forgets every recorded request.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    var json: JSONValue {
        .array(requests.map { request in
            [
                "path": .string(request.path),
                "headers": .object(JSONObject(request.headers.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
                "body": request.body,
            ]
        })
    }
}
