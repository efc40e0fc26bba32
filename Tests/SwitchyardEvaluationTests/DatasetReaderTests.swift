import SwitchyardCore
import SwitchyardEvaluation
import Testing

/// Reading routing.jsonl and prices.json, with errors that name file and line; splits and seeds.
@Suite struct DatasetReaderTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsRowsAndOptionalFields() throws {
        let text = """
            {"id": "a/1", "prompt": "2+2?", "category": "math", "outcomes": {"s": 1.0, "w": 0}, "contaminated": false}

            {"id": "a/2", "prompt": "hi", "category": "chat", "outcomes": {"s": 1, "w": null}, "costs_usd": {"s": 0.01, "w": 0.001}, "split": "test", "input_tokens": 12, "output_tokens": {"s": 30}}
            """
        let dataset = try RoutingDatasetReader().parse(Self.bytes(text), file: "r.jsonl")
        #expect(dataset.records.count == 2)
        #expect(dataset.records[0].outcomes == ["s": 1, "w": 0])
        #expect(dataset.records[0].contaminated == false)
        #expect(dataset.records[1].outcomes == ["s": 1])
        #expect(dataset.records[1].costsUSD == ["s": 0.01, "w": 0.001])
        #expect(dataset.records[1].split == "test")
        #expect(dataset.records[1].inputTokens == 12)
        #expect(dataset.records[1].outputTokens == ["s": 30])
        #expect(dataset.models == ["s", "w"])
        #expect(dataset.categories == ["chat", "math"])
    }

    @Test func errorsNameFileAndLine() {
        let text = """
            {"id": "1", "prompt": "p", "outcomes": {"s": 1}}
            {"id": "2", "prompt": "p", "outcomes": {"s": 1}}
            {"id": "3", "prompt": "p", "outcomes": {"s": 1}
            """
        #expect(throws: EvaluationError.self) { try RoutingDatasetReader().parse(Self.bytes(text), file: "data.jsonl") }
        do {
            _ = try RoutingDatasetReader().parse(Self.bytes(text), file: "data.jsonl")
        } catch {
            #expect(error.description.hasPrefix("data.jsonl:3: invalid JSON"))
        }
    }

    @Test(arguments: [
        (#"{"outcomes": {"s": 1}}"#, "missing string field 'prompt'"),
        (#"{"prompt": "p"}"#, "missing object field 'outcomes'"),
        (#"{"prompt": "p", "outcomes": {"s": 2}}"#, "outcomes.s: expected a number in [0, 1]"),
        (#"[1, 2]"#, "expected a JSON object"),
        (#"{"prompt": "p", "outcomes": {"s": 1}, "contaminated": "yes"}"#, "contaminated: expected true or false"),
    ])
    func malformedRowsAreReported(_ line: String, _ message: String) {
        do {
            _ = try RoutingDatasetReader().parse(Self.bytes(line), file: "f.jsonl")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("f.jsonl:1: \(message)"), "\(error.description)")
        }
    }

    @Test func missingFileIsNamed() {
        do {
            _ = try RoutingDatasetReader().read(path: "/nonexistent/routing.jsonl")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/nonexistent/routing.jsonl: cannot read the file: no such file")
        }
    }

    @Test func readsPrices() throws {
        let text = #"{"unit": "per 1M tokens", "models": {"s": {"input": 10, "output": 30, "note": "x"}, "w": {"input": 0.24, "output": 0.24}}}"#
        let table = try PriceTableReader().parse(Self.bytes(text), file: "prices.json")
        #expect(table["s"]?.inputPerMillion == 10)
        #expect(table["s"]?.outputPerMillion == 30)
        #expect(table.models == ["s", "w"])
        #expect(throws: EvaluationError.self) {
            try PriceTableReader().parse(Self.bytes(#"{"models": {"s": {"input": "ten"}}}"#), file: "prices.json")
        }
    }

    @Test func costPrefersRecordedThenTokensThenEstimate() throws {
        let table = try PriceTableReader().parse(Self.bytes(#"{"models": {"s": {"input": 10, "output": 30}}}"#), file: "p")
        let model = PromptCostModel(prices: table, defaultOutputTokens: 100)
        let recorded = RoutingRecord(id: "1", prompt: "abcd", category: "", outcomes: [:], costsUSD: ["s": 0.5])
        #expect(model.cost(of: recorded, model: "s")?.usd == 0.5)
        let counted = RoutingRecord(id: "2", prompt: "abcd", category: "", outcomes: [:], inputTokens: 1000, outputTokens: ["s": 1000])
        #expect(abs(model.cost(of: counted, model: "s")!.usd - 0.04) < 1e-12)
        #expect(model.cost(of: counted, model: "s")?.source == .tokens)
        // 8 bytes → 2 input tokens, 100 output tokens: (2·10 + 100·30) / 1e6.
        let estimated = RoutingRecord(id: "3", prompt: "abcdefgh", category: "", outcomes: [:])
        #expect(abs(model.cost(of: estimated, model: "s")!.usd - 0.00302) < 1e-12)
        #expect(model.cost(of: estimated, model: "unpriced") == nil)
    }

    static let records = (0..<100).map {
        RoutingRecord(id: "r\($0)", prompt: "p", category: "c", outcomes: ["s": 1], split: $0 < 70 ? "train" : "test")
    }

    @Test func splitByFractionIsSeededAndDisjoint() throws {
        let a = try DatasetSplit(Self.records, plan: .fraction(trainFraction: 0.3, seed: 7))
        let b = try DatasetSplit(Self.records, plan: .fraction(trainFraction: 0.3, seed: 7))
        let c = try DatasetSplit(Self.records, plan: .fraction(trainFraction: 0.3, seed: 8))
        #expect(a.train.count == 30 && a.test.count == 70)
        #expect(a.train.map(\.id) == b.train.map(\.id))
        #expect(a.train.map(\.id) != c.train.map(\.id))
        #expect(Set(a.train.map(\.id)).isDisjoint(with: a.test.map(\.id)))
        #expect(throws: EvaluationError.self) { try DatasetSplit(Self.records, plan: .fraction(trainFraction: 1, seed: 0)) }
    }

    @Test func splitByDatasetField() throws {
        let split = try DatasetSplit(Self.records, plan: .datasetField)
        #expect(split.train.count == 70 && split.test.count == 30)
        #expect(SplitPlan.choose(trainFraction: nil, seed: 0, dataset: RoutingDataset(source: "", records: Self.records)) == .datasetField)
        #expect(SplitPlan.choose(trainFraction: 0.5, seed: 3, dataset: RoutingDataset(source: "", records: Self.records)) == .fraction(trainFraction: 0.5, seed: 3))
    }

    @Test func seededGeneratorIsUsableWithRandomIn() {
        var generator = SeededGenerator(seed: 0)
        let values = (0..<1000).map { _ in Int64.random(in: 0..<10, using: &generator) }
        #expect(Set(values).count == 10)
        let units = (0..<1000).map { SeededGenerator.unitValue(seed: 0, key: "row-\($0)") }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(units.reduce(0, +) / 1000 - 0.5) < 0.05)
    }

    @Test func randomScorerDependsOnSeedAndIdOnly() {
        let row = RoutingRecord(id: "x", prompt: "p", category: "", outcomes: [:])
        #expect(RandomScorer(seed: 1).score(row) == RandomScorer(seed: 1).score(row))
        #expect(RandomScorer(seed: 1).score(row) != RandomScorer(seed: 2).score(row))
    }

    @Test func registryKnowsTheStandardRouters() throws {
        var registry = ScorerRegistry.standard
        #expect(registry.names == ["heuristic", "random", "oracle"])
        #expect(throws: EvaluationError.self) { try registry.factory(named: "semantic") }
        registry.register(ScorerFactory(name: "semantic", summary: "test", learns: true) { _ in RandomScorer(seed: 0) })
        #expect(try registry.factory(named: "semantic").learns)
    }
}
