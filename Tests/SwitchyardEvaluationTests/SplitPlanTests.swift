import SwitchyardEvaluation
import Testing

@Suite("Train/test split plans")
struct SplitPlanTests {
    static let records = (0..<200).map { RoutingRecord(id: "row-\($0)", prompt: "p\($0)", category: "c", outcomes: ["s": 1, "w": 0]) }

    @Test("id-hash halves partition the rows the way `switchyard train` does, whatever their order")
    func idHashHalves() throws {
        let split = try DatasetSplit(Self.records, plan: .idHash)
        #expect(split.train.count + split.test.count == Self.records.count)
        #expect(Set(split.train.map(\.id)).isDisjoint(with: split.test.map(\.id)))
        #expect((70...130).contains(split.train.count), "FNV-1a splits ids about evenly; got \(split.train.count)")
        // FNV-1a of "row-0" by hand: even or odd decides the side.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "row-0".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        #expect(split.train.contains { $0.id == "row-0" } == (hash % 2 == 0))
        let reversed = try DatasetSplit(Self.records.reversed(), plan: .idHash)
        #expect(Set(reversed.test.map(\.id)) == Set(split.test.map(\.id)))
    }
}
