import Foundation
import Testing

@testable import SwitchyardCore

@Suite("Shadow evaluation: sampling, verdicts and the tiers they take out of routing")
struct ShadowEvaluationTests {
    @Test("sampling is a hash of the decision id: repeatable, and close to the rate")
    func sampling() {
        let settings = ShadowSettings(rate: 0.1, model: "best")
        let ids = (0..<20_000).map { "req-\($0)" }
        let sampled = ids.filter(settings.samples(decisionID:))
        #expect((1_800...2_200).contains(sampled.count), "\(sampled.count) of 20000 at 10%")
        #expect(ids.filter(settings.samples(decisionID:)) == sampled)
        #expect(ids.allSatisfy(ShadowSettings(rate: 1, model: "best").samples(decisionID:)))
        #expect(!ids.contains(where: ShadowSettings(rate: 0, model: "best").samples(decisionID:)))
    }

    @Test("a tier is demoted for a task once enough of its recent answers disagree, and restored when they agree again")
    func verdicts() {
        var statistics = ShadowStatistics(window: 10)
        for index in 0..<4 { statistics.record(task: "extract", tier: "light", agrees: index == 0) }
        #expect(statistics.demotions(minSamples: 5, minAgreement: 0.8, reference: "best").isEmpty, "too few samples")
        statistics.record(task: "extract", tier: "light", agrees: false)
        statistics.record(task: "summarize", tier: "light", agrees: true)
        let demotions = statistics.demotions(minSamples: 5, minAgreement: 0.8, reference: "best")
        let evidence = demotions.evidence(task: "extract", tier: "light")
        #expect(evidence?.agreeing == 1 && evidence?.samples == 5)
        #expect(demotions.evidence(task: "summarize", tier: "light") == nil)
        #expect(demotions.evidence(task: "extract", tier: "mid") == nil)
        // Ten agreeing answers push the disagreeing ones out of the window.
        for _ in 0..<10 { statistics.record(task: "extract", tier: "light", agrees: true) }
        #expect(statistics.records[ShadowStatistics.Key(task: "extract", tier: "light")]?.outcomes.count == 10)
        #expect(statistics.records[ShadowStatistics.Key(task: "extract", tier: "light")]?.total == 15)
        #expect(statistics.demotions(minSamples: 5, minAgreement: 0.8, reference: "best").isEmpty)
    }

    @Test("answers agree exactly, as JSON, or by the cosine of their embeddings")
    func agreement() {
        let exact = ShadowSettings(rate: 1, model: "best", agreement: .auto)
        #expect(exact.agrees("Positive.", "positive", embeddings: nil))
        #expect(exact.agrees(#"{"a": 1, "b": [2]}"#, #"{"b":[2],"a":1.0}"#, embeddings: nil))
        #expect(!exact.agrees("The meeting moved.", "It was moved to Tuesday.", embeddings: nil))
        // A hand-made embedding: texts mentioning Tuesday point one way, the rest another.
        let embed: ([String]) -> [[Float]] = { texts in texts.map { $0.contains("Tuesday") ? [1, 0] : [0.6, 0.8] } }
        let semantic = ShadowSettings(rate: 1, model: "best", agreement: .embedding, cosineThreshold: 0.9)
        #expect(semantic.agrees("Moved to Tuesday.", "The meeting is on Tuesday now.", embeddings: embed))
        #expect(!semantic.agrees("Moved to Tuesday.", "Cancelled.", embeddings: embed), "cosine 0.6")
        #expect(ShadowSettings(rate: 1, model: "best", agreement: .embedding, cosineThreshold: 0.5).agrees("Moved to Tuesday.", "Cancelled.", embeddings: embed))
        #expect(!semantic.agrees("Moved to Tuesday.", "Cancelled.", embeddings: nil), "no model, no agreement")
    }

    func hints(_ complexity: Double, task: String) -> RoutingHints {
        RoutingHints(
            task: Hint(value: task, source: .metadataHeader, param: "x-switchyard-task"),
            complexity: Hint(value: complexity, source: .metadataHeader, param: "x-switchyard-complexity"))
    }

    @Test("routing skips a demoted tier for its task only, and the record says why")
    func routingSkipsADemotedTier() throws {
        var statistics = ShadowStatistics(window: 20)
        for index in 0..<10 { statistics.record(task: "extract", tier: "light", agrees: index < 3) }
        var context = RoutingFixtures.context()
        context.shadowDemotions = statistics.demotions(minSamples: 10, minAgreement: 0.8, reference: "us-premium")

        let demoted = try RoutingFixtures.engine.route(RoutingFixtures.request("x", hints: hints(0.1, task: "extract")), context: context)
        #expect(demoted.chosen.tier == "mid")
        #expect(!demoted.chain.contains { $0.tier == "light" })
        let clause = try #require(demoted.record.clauses.first { $0.clause == "policy.shadow" })
        #expect(clause.effect == "start=mid")
        #expect(clause.reason == "light agreed with us-premium on 3 of 10 shadowed extract answers (30% < 80%)")

        let otherTask = try RoutingFixtures.engine.route(RoutingFixtures.request("x", hints: hints(0.1, task: "summarize")), context: context)
        #expect(otherTask.chosen.tier == "light")
        let withoutVerdicts = try RoutingFixtures.engine.route(
            RoutingFixtures.request("x", hints: hints(0.1, task: "extract")), context: RoutingFixtures.context())
        #expect(withoutVerdicts.chosen.tier == "light")
        // A pinned model is the caller's choice: shadow verdicts do not move it.
        let pinned = try RoutingFixtures.engine.route(
            RoutingFixtures.request("x", model: "us-light", hints: hints(0.1, task: "extract")), context: context)
        #expect(pinned.chosen.name == "us-light")
    }
}
