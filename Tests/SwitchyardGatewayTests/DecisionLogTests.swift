import SwitchyardCore
import Testing

@testable import SwitchyardGateway

@Suite struct DecisionLogTests {
    /// The whole record the log gives back for a stored `{"id":…}` without attempts or gates.
    static func whole(_ id: String) -> String { #"{"id":"\#(id)","attempts":[]}"# }

    @Test func keepsTheNewestRecordsUpToItsCapacity() {
        let log = DecisionLog(capacity: 3)
        #expect(log.record(id: "a") == nil)
        for id in ["a", "b", "c"] { log.append(id: id, stored: "{\"id\":\"\(id)\"}") }
        #expect(log.record(id: "a") == Self.whole("a"))
        #expect(log.record(id: "c") == Self.whole("c"))
        // A fourth record takes the oldest slot, then a fifth the next oldest.
        log.append(id: "d", stored: #"{"id":"d"}"#)
        #expect(log.record(id: "a") == nil)
        #expect(log.record(id: "b") == Self.whole("b"))
        log.append(id: "e", stored: #"{"id":"e"}"#)
        #expect(log.record(id: "b") == nil)
        #expect(["c", "d", "e"].map { log.record(id: $0) } == ["c", "d", "e"].map(Self.whole))
    }

    @Test func aRepeatedIDFindsItsNewestRecord() {
        let log = DecisionLog(capacity: 4)
        log.append(id: "x", stored: #"{"v":"old"}"#)
        log.append(id: "y", stored: #"{"v":"y"}"#)
        log.append(id: "x", stored: #"{"v":"new"}"#)
        #expect(log.record(id: "x") == #"{"v":"new","attempts":[]}"#)
        for id in ["p", "q", "r"] { log.append(id: id, stored: "{}") }
        // The ring wrapped: the newest "x" is still found, the older one is gone.
        #expect(log.record(id: "x") == #"{"v":"new","attempts":[]}"#)
        #expect(log.record(id: "p") == #"{"attempts":[]}"#)
    }

    @Test func theWholeRecordHasTheAttemptsAndGatesTheLedgerKeepsApart() throws {
        let log = DecisionLog(capacity: 2)
        let attempts = [
            AttemptRecord(deployment: "light", provider: "a", status: 503, errorClass: "server_error", latency: .milliseconds(2)),
            AttemptRecord(deployment: "mid", provider: "b", status: 200, errorClass: nil, latency: .milliseconds(5)),
        ]
        log.append(id: "g", stored: #"{"id":"g","served":"mid"}"#, attempts: attempts, gatesJSON: #"[{"model":"mid"}]"#)
        let text = try #require(log.record(id: "g"))
        let record = try JSONParser.parse(text)
        #expect(record["served"] == "mid")
        #expect(record["attempts"]?.arrayValue?.map { $0["deployment"] } == ["light", "mid"])
        #expect(record["attempts"]?.arrayValue?.first?["error_class"] == "server_error")
        #expect(record["gates"]?.arrayValue?.first?["model"] == "mid")
    }
}
