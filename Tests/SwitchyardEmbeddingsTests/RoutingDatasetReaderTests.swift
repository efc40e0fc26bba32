import Foundation
import SwitchyardEmbeddings
import Testing

@Suite("routing.jsonl reader")
struct RoutingDatasetReaderTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("routing-\(UUID().uuidString).jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func readsPromptsOutcomesAndSplits() throws {
        let path = try Self.write("""
            {"id": "a", "prompt": "2+2?", "category": "math", "outcomes": {"big": 1, "small": 0.0}, "split": "train"}
            {"id": "b", "prompt": "hi", "outcomes": {"big": 1, "small": 1}, "split": "test", "contaminated": true}

            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dataset = try RoutingDataset(path: path)
        #expect(dataset.rows.count == 2)
        #expect(dataset.rows[0].outcomes == ["big": 1, "small": 0])
        #expect(dataset.rows[0].category == "math")
        #expect(dataset.rows[1].contaminated)
        #expect(dataset.models == ["big", "small"])
        let (train, test) = dataset.trainTestSplit()
        #expect(train.map(\.id) == ["a"] && test.map(\.id) == ["b"])
        let trainer = RouterTrainer(strongModel: "big", weakModel: "small")
        #expect(trainer.usable(dataset.rows).map(\.id) == ["a"])  // contaminated row dropped
        #expect(!trainer.weakIsGood(dataset.rows[0]))
    }

    @Test func withoutSplitHalvesDeterministically() {
        let rows = (0..<200).map { RoutingDataset.Row(id: "q\($0)", prompt: "p", outcomes: [:]) }
        let (train, test) = RoutingDataset(rows: rows).trainTestSplit()
        #expect(train.count + test.count == 200)
        #expect(train.count > 70 && test.count > 70)
        #expect(RoutingDataset(rows: rows).trainTestSplit().train == train)
    }

    @Test func weakAtLeastStrongTarget() {
        let row = RoutingDataset.Row(id: "x", prompt: "p", outcomes: ["s": 0, "w": 0])
        #expect(RouterTrainer(strongModel: "s", weakModel: "w", target: .weakAtLeastStrong).weakIsGood(row))
        #expect(!RouterTrainer(strongModel: "s", weakModel: "w", target: .weakCorrect).weakIsGood(row))
    }

    @Test func badLinesNameTheLine() throws {
        let path = try Self.write("{\"prompt\": \"ok\", \"outcomes\": {}}\n{\"prompt\": 3, \"outcomes\": {}}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: EmbeddingError.invalidFile(path: path, reason: "line 2: 'prompt' must be a string")) {
            try RoutingDataset(path: path)
        }
    }
}
