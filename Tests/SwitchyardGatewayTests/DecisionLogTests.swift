import Testing

@testable import SwitchyardGateway

@Suite struct DecisionLogTests {
    @Test func keepsTheNewestRecordsUpToItsCapacity() {
        let log = DecisionLog(capacity: 3)
        #expect(log.record(id: "a") == nil)
        for id in ["a", "b", "c"] { log.append(id: id, record: "{\"id\":\"\(id)\"}") }
        #expect(log.record(id: "a") == #"{"id":"a"}"#)
        #expect(log.record(id: "c") == #"{"id":"c"}"#)
        // A fourth record takes the oldest slot, then a fifth the next oldest.
        log.append(id: "d", record: "d1")
        #expect(log.record(id: "a") == nil)
        #expect(log.record(id: "b") == #"{"id":"b"}"#)
        log.append(id: "e", record: "e1")
        #expect(log.record(id: "b") == nil)
        #expect(["c", "d", "e"].map { log.record(id: $0) } == [#"{"id":"c"}"#, "d1", "e1"])
    }

    @Test func aRepeatedIDFindsItsNewestRecord() {
        let log = DecisionLog(capacity: 4)
        log.append(id: "x", record: "old")
        log.append(id: "y", record: "y")
        log.append(id: "x", record: "new")
        #expect(log.record(id: "x") == "new")
        for id in ["p", "q", "r"] { log.append(id: id, record: id) }
        // The ring wrapped: the newest "x" is still found, the older one is gone.
        #expect(log.record(id: "x") == "new")
    }
}
