/// A request body's bytes as the client sent them, with where the top-level members sit.
public struct OriginalBody: Sendable, Hashable {
    public var bytes: [UInt8]
    public var spans: JSONParser.TopLevelSpans

    public init(bytes: [UInt8], spans: JSONParser.TopLevelSpans) {
        self.bytes = bytes
        self.spans = spans
    }

    /// The body to send a provider as it came, except for `model` (the deployment's own name)
    /// and, for a stream, `stream_options` asking for usage, which is added unless the body's
    /// own already asks for it (`usageRequested`: SDKs that track cost send
    /// `"stream_options":{"include_usage":true}` themselves). `nil` when more than that would
    /// change — a non-stream call whose body says `"stream"` is anything but `false`, or a
    /// stream whose body does not say `"stream": true` or has `stream_options` that do not ask
    /// for usage — and the caller serialises the tree instead.
    public func forwarding(model: String, stream: Bool, usageRequested: Bool = false) -> [UInt8]? {
        guard let modelSpan = spans.values["model"] else { return nil }
        let streamValue = spans.values["stream"].map { bytes[$0] }
        var insertion: StaticString = ""
        if stream {
            guard let streamValue, streamValue.elementsEqual("true".utf8) else { return nil }
            if spans.values["stream_options"] != nil {
                guard usageRequested else { return nil }
            } else {
                insertion = #""stream_options":{"include_usage":true},"#
            }
        } else if let streamValue, !streamValue.elementsEqual("false".utf8) {
            return nil
        }
        let afterBrace = spans.objectStart + 1
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + insertion.utf8CodeUnitCount + model.utf8.count + 2)
        output.append(contentsOf: bytes[..<afterBrace])
        insertion.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: bytes[afterBrace..<modelSpan.lowerBound])
        JSONWriter.writeString(model, into: &output)
        output.append(contentsOf: bytes[modelSpan.upperBound...])
        return output
    }
}
