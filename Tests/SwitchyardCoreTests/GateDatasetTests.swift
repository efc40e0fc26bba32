import Foundation
import SwitchyardCore
import Testing

/// How well do the numeric/answer gates alone predict a wrong weak answer? Measured on RouteLLM's
/// GSM8K table (`../shared/data/routellm_gsm8k`, real Mixtral-8x7B answers with correctness;
/// contaminated prompts excluded): precision and recall of "gate fails" against "Mixtral's answer
/// was wrong". Run with `scripts/gate-eval.sh`.
@Suite struct GateDatasetTests {
    static let dataDirectory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()  // repository root
        .deletingLastPathComponent().appendingPathComponent("shared/data/routellm_gsm8k")
    static let weakModel = "mistralai/Mixtral-8x7B-Instruct-v0.1"

    struct Row {
        var prompt: String
        var answer: String
        var wrong: Bool
    }

    /// Confusion counts of "gate fails" (predicted positive) vs "weak answer wrong" (actual positive).
    struct Confusion: CustomStringConvertible {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0
        var total: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
        var precision: Double { Double(truePositives) / Double(max(1, truePositives + falsePositives)) }
        var recall: Double { Double(truePositives) / Double(max(1, truePositives + falseNegatives)) }
        var failRate: Double { Double(truePositives + falsePositives) / Double(max(1, total)) }
        mutating func add(gateFailed: Bool, wrong: Bool) {
            switch (gateFailed, wrong) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): trueNegatives += 1
            }
        }
        var description: String {
            String(format: "TP=%4d FP=%4d FN=%4d TN=%4d  fail rate=%.3f  precision=%.3f  recall=%.3f", truePositives, falsePositives, falseNegatives, trueNegatives, failRate, precision, recall)
        }
    }

    /// RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes.
    static func parseCSV(_ bytes: [UInt8]) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = 0
        func endField() {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): quoted = true
                case UInt8(ascii: ","): endField()
                case UInt8(ascii: "\n"):
                    endField()
                    rows.append(row)
                    row = []
                case UInt8(ascii: "\r"): break
                default: field.append(byte)
                }
            }
            index += 1
        }
        if !field.isEmpty || !row.isEmpty {
            endField()
            rows.append(row)
        }
        return rows
    }

    /// Mixtral's answers with correctness, contaminated prompts left out; `nil` without the data.
    static func rows() throws -> [Row]? {
        let csvPath = dataDirectory.appendingPathComponent("raw/gsm8k_responses.csv").path
        let routingPath = dataDirectory.appendingPathComponent("routing.jsonl").path
        guard let csv = FileManager.default.contents(atPath: csvPath), let routing = FileManager.default.contents(atPath: routingPath) else { return nil }
        let table = parseCSV(Array(csv))
        let header = try #require(table.first)
        let promptColumn = try #require(header.firstIndex(of: "prompt"))
        let correctColumn = try #require(header.firstIndex(of: weakModel))
        let answerColumn = try #require(header.firstIndex(of: weakModel + "_response"))
        let records = table.dropFirst()
        let lines = routing.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }
        #expect(records.count == lines.count, "CSV rows and routing.jsonl rows line up")
        var rows: [Row] = []
        for (record, line) in zip(records, lines) {
            let meta = try JSONParser.parse(line)
            let prompt = record[promptColumn]
            #expect(meta["prompt"]?.stringValue == prompt, "row order of the CSV and routing.jsonl agree")
            if meta["contaminated"]?.boolValue == true { continue }
            let correct = record[correctColumn]
            #expect(correct == "True" || correct == "False")
            #expect((meta["outcomes"]?[weakModel]?.doubleValue == 1) == (correct == "True"), "correctness agrees with routing.jsonl")
            rows.append(Row(prompt: prompt, answer: record[answerColumn], wrong: correct == "False"))
        }
        return rows
    }

    struct Variant {
        var name: String
        var gates: JSONValue
        var number: NumberGateSettings
    }

    /// Hedge words for the last variant. Chosen by reading a handful of answers, not fitted: treat
    /// that variant's numbers as optimistic.
    static let numericHedges = ["approximately", "roughly", "assuming", "however", "not possible", "cannot", "can't", "estimate"]

    static let variants: [Variant] = [
        Variant(name: "number (default: final number after a marker or on the last line)", gates: ["number"], number: NumberGateSettings()),
        Variant(name: "number, require_marker (GSM8K's 8-shot format ends in '#### N')", gates: ["number"], number: NumberGateSettings(requireMarker: true)),
        Variant(name: "number, require_marker + integer", gates: ["number"], number: NumberGateSettings(requireMarker: true, integer: true)),
        Variant(name: "number, require_marker + integer + consistency", gates: ["number"], number: NumberGateSettings(requireMarker: true, integer: true, consistency: true)),
        Variant(name: "number, require_marker + integer + consistency + hedges", gates: ["number"], number: NumberGateSettings(requireMarker: true, integer: true, consistency: true, hedges: numericHedges)),
        Variant(name: "refusal gate alone (default phrase lists)", gates: ["refusal"], number: NumberGateSettings()),
        Variant(name: "empty + refusal + number default", gates: ["empty", "refusal", "number"], number: NumberGateSettings()),
    ]

    @Test func numericGatesPredictWrongWeakAnswers() throws {
        guard let rows = try Self.rows() else {
            print("GateDatasetTests: skipped — \(Self.dataDirectory.path)/raw/gsm8k_responses.csv not found")
            return
        }
        #expect(rows.count == 1307, "1,319 GSM8K test rows minus 12 contaminated")
        let wrong = rows.count { $0.wrong }
        print("GSM8K / \(Self.weakModel): \(rows.count) answers, \(wrong) wrong (base rate \(String(format: "%.3f", Double(wrong) / Double(rows.count))))")
        print("gate fails = predicted wrong; precision = P(wrong | gate fails), recall = P(gate fails | wrong)")
        var results: [String: Confusion] = [:]
        for variant in Self.variants {
            var routing = RoutingConfiguration.defaults(tiers: ["light", "premium"])
            routing.gates.number = variant.number
            let evaluator = GateEvaluator(configuration: GateFixtures.configuration(routing))
            let request = try GateFixtures.request(switchyard: ["gates": variant.gates])
            let plan = evaluator.plan(forTask: "reason", options: try evaluator.validate(request: request), model: GateFixtures.model(logprobs: false))
            var confusion = Confusion()
            for row in rows {
                let report = plan.evaluate(GateInput(content: row.answer, finishReason: nil, task: "reason", request: request))
                confusion.add(gateFailed: !report.passed, wrong: row.wrong)
            }
            #expect(confusion.total == rows.count)
            results[variant.name] = confusion
            print("  \(confusion)  \(variant.name)")
        }
        let marker = try #require(results[Self.variants[1].name])
        #expect(marker.precision > Double(wrong) / Double(rows.count) + 0.2, "a missing '#### N' is a strong sign of a wrong answer")
        let full = try #require(results[Self.variants[4].name])
        #expect(full.recall > marker.recall, "each added check catches more wrong answers")
    }

    @Test func csvParserHandlesQuotesCommasAndNewlines() {
        let rows = Self.parseCSV(Array("a,b\n\"x, y\",\"line1\nline2 \"\"quoted\"\"\"\r\nlast,\n".utf8))
        #expect(rows == [["a", "b"], ["x, y", "line1\nline2 \"quoted\""], ["last", ""]])
    }
}
