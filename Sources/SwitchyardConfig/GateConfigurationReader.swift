import Foundation
import SwitchyardCore
import Yams

/// Reads the `gates` section of `switchyard.yaml` and the `gates` key of each task, checking
/// gate names, threshold ranges, model names and patterns.
struct GateConfigurationReader {
    let document: MappingReader
    let reader: YAMLReader
    let models: [String]

    /// The `gates` section over the built-in defaults; `nil` when the section is absent.
    func readSettings() -> GateSettings? {
        guard let section = document.mapping("gates") else { return nil }
        defer { section.rejectUnknownKeys() }
        var settings = GateSettings()
        if let count = section.int("max_escalations", range: 0...10) { settings.maxEscalations = count }
        if let repair = section.bool("json_repair") { settings.jsonRepair = repair }
        if let rate = section.double("escalation_alert_rate", minimum: 0) {
            if rate > 1 { section.report("escalation_alert_rate", "must be between 0 and 1, got \(rate)") }
            settings.escalationAlertRate = rate
        }
        if section.has("uncertain_band") { settings.uncertainBand = readBand(section) }
        if let confidence = section.mapping("confidence") {
            defer { confidence.rejectUnknownKeys() }
            settings.confidence = ConfidenceThresholds.defaults.merged(with: readThresholds(confidence))
            settings.confidenceByModel = readModelThresholds(confidence)
        }
        if let refusal = section.mapping("refusal") {
            defer { refusal.rejectUnknownKeys() }
            if let phrases = refusal.stringList("phrases") { settings.refusal.phrases = nonEmpty(phrases, refusal, "phrases") }
            if let hedges = refusal.stringList("hedges") { settings.refusal.hedges = nonEmpty(hedges, refusal, "hedges") }
            if let window = refusal.int("window", range: 1...1_000_000) { settings.refusal.window = window }
            if let fails = refusal.bool("hedges_fail") { settings.refusal.hedgeFails = fails }
        }
        if let number = section.mapping("number") { settings.number = readNumber(number, defaults: settings.number) }
        return settings
    }

    /// A task's `gates`: a list of gate names, or a mapping with `use` and task-level options.
    func readTaskGates(_ task: MappingReader, defaults: TaskGates, settings: GateSettings) -> TaskGates {
        guard let node = task.value("gates") else { return defaults }
        let path = task.childPath("gates")
        var gates = defaults
        if case .sequence = node {
            gates.kinds = readKinds(node, path: path) ?? defaults.kinds
            return gates
        }
        guard let section = reader.mapping(node, path: path) else { return defaults }
        defer { section.rejectUnknownKeys() }
        if let use = section.value("use") { gates.kinds = readKinds(use, path: section.childPath("use")) ?? defaults.kinds }
        if let labels = section.stringList("labels") {
            let cleaned = nonEmpty(labels, section, "labels")
            if cleaned.isEmpty { section.report("labels", "must list at least one label") }
            gates.labels = cleaned.isEmpty ? nil : cleaned
        }
        if let pattern = section.string("answer_regex") {
            if let problem = RoutingConfiguration.regexError(pattern) {
                section.report("answer_regex", "invalid regular expression: \(problem)")
            } else {
                gates.answerRegex = pattern
            }
        }
        if let confidence = section.mapping("confidence") {
            defer { confidence.rejectUnknownKeys() }
            gates.confidence = readThresholds(confidence)
            gates.confidenceByModel = readModelThresholds(confidence)
        }
        if let number = section.mapping("number") { gates.number = readNumber(number, defaults: settings.number) }
        if let require = section.bool("require_json") { gates.requireJSON = require }
        return gates
    }

    private func readKinds(_ node: Node, path: String) -> [GateKind]? {
        guard let entries = reader.sequence(node, path: path) else { return nil }
        var kinds: [GateKind] = []
        for entry in entries {
            guard let name = reader.string(entry.node, path: entry.path) else { continue }
            guard let kind = GateKind(rawValue: name) else {
                var message = "unknown gate '\(name)'"
                if let suggestion = closestMatch(to: name, in: GateKind.allCases.map(\.rawValue)) { message += " (did you mean '\(suggestion)'?)" }
                reader.report(message + "; gates: \(GateKind.allCases.map(\.rawValue).joined(separator: ", "))", at: entry.node, path: entry.path)
                continue
            }
            if kinds.contains(kind) {
                reader.report("gate '\(name)' is listed twice", at: entry.node, path: entry.path)
                continue
            }
            kinds.append(kind)
        }
        return kinds
    }

    private func readThresholds(_ section: MappingReader) -> ConfidenceThresholds {
        var thresholds = ConfidenceThresholds()
        thresholds.meanLogprob = section.double("mean_logprob")
        thresholds.minLogprob = section.double("min_logprob")
        thresholds.lowLogprob = section.double("low_logprob")
        thresholds.maxLowShare = section.double("max_low_share")
        for problem in thresholds.problems { section.report(problem.key, problem.message) }
        return thresholds
    }

    private func readModelThresholds(_ section: MappingReader) -> [String: ConfidenceThresholds] {
        guard let entries = section.namedMappings("models") else { return [:] }
        var result: [String: ConfidenceThresholds] = [:]
        let modelsSection = section.childPath("models")
        for (name, entry) in entries {
            defer { entry.rejectUnknownKeys() }
            if !models.contains(name) {
                var message = "unknown model '\(name)'"
                if let suggestion = closestMatch(to: name, in: models) { message += " (did you mean '\(suggestion)'?)" }
                reader.report(message, at: entry.node, path: join(modelsSection, name))
            }
            result[name] = readThresholds(entry)
        }
        return result
    }

    private func readNumber(_ section: MappingReader, defaults: NumberGateSettings) -> NumberGateSettings {
        defer { section.rejectUnknownKeys() }
        var settings = defaults
        if let markers = section.stringList("markers") { settings.markers = nonEmpty(markers, section, "markers") }
        if let flag = section.bool("require_marker") { settings.requireMarker = flag }
        if let flag = section.bool("integer") { settings.integer = flag }
        if let flag = section.bool("consistency") { settings.consistency = flag }
        if let hedges = section.stringList("hedges") { settings.hedges = nonEmpty(hedges, section, "hedges") }
        if settings.requireMarker && settings.markers.isEmpty { section.report("markers", "require_marker needs at least one marker") }
        return settings
    }

    /// `uncertain_band: { lower: -1.0, upper: -0.6 }`, or `off` / `false` to disable.
    private func readBand(_ section: MappingReader) -> UncertainBand? {
        guard let node = section.value("uncertain_band") else { return nil }
        let path = section.childPath("uncertain_band")
        if case .scalar(let scalar) = node, ["off", "false", "no", "none"].contains(scalar.string.lowercased()) { return nil }
        guard let band = reader.mapping(node, path: path) else { return GateSettings().uncertainBand }
        defer { band.rejectUnknownKeys() }
        let lower = band.double("lower", required: true)
        let upper = band.double("upper", required: true)
        guard let lower, let upper else { return GateSettings().uncertainBand }
        if lower > 0 { band.report("lower", "must be a logprob ≤ 0, got \(lower)") }
        if upper > 0 { band.report("upper", "must be a logprob ≤ 0, got \(upper)") }
        if lower >= upper { band.report("upper", "must be greater than lower (\(lower)), got \(upper)") }
        return UncertainBand(lower: lower, upper: upper)
    }

    private func nonEmpty(_ list: [String], _ section: MappingReader, _ key: String) -> [String] {
        if list.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) { section.report(key, "entries must not be empty") }
        return list.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
