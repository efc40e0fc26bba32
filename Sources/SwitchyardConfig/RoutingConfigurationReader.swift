import Foundation
import SwitchyardCore
import Yams

/// Reads the routing sections of `switchyard.yaml` — `tasks`, `sensitivity`, `heuristics`,
/// `policy`, `gates` — and checks every tier, provider, model, timezone and regex they name.
///
/// Missing sections keep the built-in defaults of ``RoutingConfiguration/defaults(tiers:)``.
struct RoutingConfigurationReader {
    let document: MappingReader
    let reader: YAMLReader
    let tiers: [String]
    let providers: [String]
    let models: [String]

    /// The top-level keys this reader owns.
    static let sections = ["tasks", "sensitivity", "heuristics", "policy", "gates"]

    func read() -> RoutingConfiguration {
        var routing = RoutingConfiguration.defaults(tiers: tiers)
        let gateReader = GateConfigurationReader(document: document, reader: reader, models: models)
        if let gates = gateReader.readSettings() { routing.gates = gates }
        if let tasks = readTasks(gateReader: gateReader, gateSettings: routing.gates) { routing.tasks = tasks }
        if let sensitivity = readSensitivity() { routing.sensitivity = sensitivity }
        if let heuristics = readHeuristics() { routing.heuristics = heuristics }
        if let section = document.mapping("policy") {
            routing.policy = readPolicy(section, defaults: routing.policy, taskNames: routing.tasks.map(\.name))
            section.rejectUnknownKeys()
        }
        return routing
    }

    // MARK: tasks

    private func readTasks(gateReader: GateConfigurationReader, gateSettings: GateSettings) -> [TaskDefinition]? {
        guard let entries = document.mappings("tasks") else { return nil }
        var tasks: [TaskDefinition] = []
        var names: Set<String> = []
        for section in entries {
            defer { section.rejectUnknownKeys() }
            guard let name = section.string("name", required: true) else { continue }
            if !names.insert(name).inserted { section.report("name", "task '\(name)' is defined twice") }
            var task = DefaultRouting.task(named: name, tiers: tiers) ?? TaskDefinition(name: name, chain: tiers)
            if let keywords = section.stringList("keywords") { task.keywords = nonEmpty(keywords, section, "keywords") }
            if let phrases = section.stringList("phrases") { task.phrases = nonEmpty(phrases, section, "phrases") }
            if let regexes = readRegexes(section, "regexes") { task.regexes = regexes }
            if let chain = section.stringList("chain") {
                checkTiers(chain, section, "chain")
                if chain.isEmpty { section.report("chain", "must list at least one tier") }
                task.chain = chain
            }
            if let thresholds = section.mapping("thresholds") {
                var values: [String: Double] = [:]
                for tier in thresholds.keyNames {
                    if !tiers.contains(tier) {
                        thresholds.report(tier, "unknown tier '\(tier)'; tiers: \(tiers.joined(separator: ", "))")
                        _ = thresholds.double(tier)
                        continue
                    }
                    guard let value = thresholds.double(tier, minimum: 0) else { continue }
                    if value > 1 { thresholds.report(tier, "must be between 0 and 1, got \(value)") }
                    values[tier] = value
                }
                for tier in values.keys where !task.chain.contains(tier) {
                    thresholds.report(tier, "tier '\(tier)' is not in the task's chain (\(task.chain.joined(separator: ", ")))")
                }
                task.thresholds = values
            } else {
                task.thresholds = task.thresholds.filter { task.chain.contains($0.key) }
            }
            task.gates = gateReader.readTaskGates(section, defaults: task.gates, settings: gateSettings)
            tasks.append(task)
        }
        if entries.isEmpty { document.report("tasks", "must define at least one task (or leave the section out for the defaults)") }
        return tasks.isEmpty ? nil : tasks
    }

    private func nonEmpty(_ list: [String], _ section: MappingReader, _ key: String) -> [String] {
        if list.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) { section.report(key, "entries must not be empty") }
        return list.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    private func readRegexes(_ section: MappingReader, _ key: String) -> [String]? {
        guard let entries = section.sequence(key) else { return nil }
        var result: [String] = []
        for entry in entries {
            guard let pattern = reader.string(entry.node, path: entry.path) else { continue }
            if let problem = RoutingConfiguration.regexError(pattern) {
                reader.report("invalid regular expression: \(problem)", at: entry.node, path: entry.path)
            } else {
                result.append(pattern)
            }
        }
        return result
    }

    private func readTextRules(_ section: MappingReader) -> TextRules {
        defer { section.rejectUnknownKeys() }
        return TextRules(
            keywords: section.stringList("keywords").map { nonEmpty($0, section, "keywords") } ?? [],
            phrases: section.stringList("phrases").map { nonEmpty($0, section, "phrases") } ?? [],
            regexes: readRegexes(section, "regexes") ?? [])
    }

    // MARK: sensitivity, heuristics

    private func readSensitivity() -> SensitivityRules? {
        guard let section = document.mapping("sensitivity") else { return nil }
        defer { section.rejectUnknownKeys() }
        var rules = DefaultRouting.sensitivity
        if let internalRules = section.mapping("internal") { rules.internal = readTextRules(internalRules) }
        if let restricted = section.mapping("restricted") { rules.restricted = readTextRules(restricted) }
        return rules
    }

    private func readHeuristics() -> HeuristicSettings? {
        guard let section = document.mapping("heuristics") else { return nil }
        defer { section.rejectUnknownKeys() }
        var settings = HeuristicSettings()
        if let weights = section.mapping("weights") {
            var values = HeuristicSettings.defaultWeights
            for name in weights.keyNames {
                guard let feature = ComplexityFeature(rawValue: name) else {
                    _ = weights.double(name)
                    weights.report(name, "unknown feature '\(name)'; features: \(ComplexityFeature.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                guard let value = weights.double(name) else { continue }
                if abs(value) > 1 { weights.report(name, "must be between -1 and 1, got \(value)") }
                values[feature] = value
            }
            settings.weights = values
        }
        if let weight = section.double("semantic_weight", minimum: 0) {
            if weight > 1 { section.report("semantic_weight", "must be between 0 and 1, got \(weight)") }
            settings.semanticWeight = weight
        }
        if let terms = section.mapping("terms") {
            for name in terms.keyNames {
                guard let feature = ComplexityFeature(rawValue: name) else {
                    _ = terms.stringList(name)
                    terms.report(name, "unknown feature '\(name)'; features: \(ComplexityFeature.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                if let list = terms.stringList(name) { settings.terms[feature] = nonEmpty(list, terms, name) }
            }
        }
        return settings
    }

    // MARK: policy

    private func readPolicy(_ section: MappingReader, defaults: RoutingPolicy, taskNames: [String]) -> RoutingPolicy {
        var policy = defaults
        if let task = section.string("default_task") {
            if taskNames.contains(task) {
                policy.defaultTask = task
            } else {
                section.report("default_task", "unknown task '\(task)'; tasks: \(taskNames.joined(separator: ", "))")
            }
        } else if !taskNames.contains(policy.defaultTask), let first = taskNames.first {
            if taskNames.count > 0 {
                section.reportMissing("default_task", hint: "the task list has no '\(policy.defaultTask)'; name one of \(taskNames.joined(separator: ", "))")
            }
            policy.defaultTask = first
        }
        if let sensitivity = section.choice("default_sensitivity", as: Sensitivity.self) { policy.defaultSensitivity = sensitivity }
        if let tokens = section.int("expected_output_tokens", range: 1...10_000_000) { policy.expectedOutputTokens = tokens }
        if let degrade = section.bool("degrade") { policy.degrade = degrade }
        if let userTiers = section.mapping("user_tiers") {
            policy.userTiers = readUserTiers(userTiers, defaults: defaults.userTiers)
            userTiers.rejectUnknownKeys()
        }
        if let residency = section.mapping("residency") {
            policy.residency = readResidency(residency)
            residency.rejectUnknownKeys()
        }
        if let windows = section.mappings("time_windows") {
            policy.timeWindows = windows.compactMap(readWindow)
        }
        if let rules = section.mappings("budget_stress") {
            policy.budgetStress = rules.compactMap(readBudgetRule)
        }
        if let sessions = section.mapping("sessions") {
            defer { sessions.rejectUnknownKeys() }
            if let sticky = sessions.duration("sticky_for") { policy.sessions.stickyFor = sticky }
            if let phrases = sessions.stringList("dispute_phrases") { policy.sessions.disputePhrases = nonEmpty(phrases, sessions, "dispute_phrases") }
        }
        if let shadow = section.mapping("shadow") {
            defer { shadow.rejectUnknownKeys() }
            policy.shadow = readShadow(shadow, taskNames: taskNames)
        }
        return policy
    }

    /// `policy.shadow`: sampling rate, reference model and the agreement that moves routing.
    private func readShadow(_ section: MappingReader, taskNames: [String]) -> ShadowSettings? {
        let rate = section.double("rate", required: true, minimum: 0)
        let model = section.string("model", required: true)
        var settings = ShadowSettings(rate: 0, model: "")
        if let agreement = section.choice("agreement", as: AgreementMode.self) { settings.agreement = agreement }
        if let threshold = section.double("cosine_threshold", minimum: -1) {
            if threshold > 1 { section.report("cosine_threshold", "must be a cosine similarity between -1 and 1") } else { settings.cosineThreshold = threshold }
        }
        if let tasks = section.stringList("tasks") {
            for task in tasks where !taskNames.contains(task) {
                section.report("tasks", "unknown task '\(task)'; tasks: \(taskNames.joined(separator: ", "))")
            }
            settings.tasks = Set(tasks)
        }
        if let samples = section.int("min_samples", range: 1...100_000) { settings.minSamples = samples }
        if let share = section.double("min_agreement", minimum: 0) {
            if share > 1 { section.report("min_agreement", "must be a share between 0 and 1") } else { settings.minAgreement = share }
        }
        if let window = section.int("window", range: 1...100_000) { settings.window = window }
        if let calls = section.int("max_in_flight", range: 1...1_000) { settings.maxInFlight = calls }
        if let capacity = section.int("queue_capacity", range: 1...1_000_000) { settings.queueCapacity = capacity }
        if settings.minSamples > settings.window { section.report("min_samples", "must not exceed window (\(settings.window))") }
        guard let rate, let model else { return nil }
        if rate > 1 {
            section.report("rate", "must be a share between 0 and 1, e.g. 0.02")
            return nil
        }
        guard models.contains(model) else {
            section.report("model", "unknown model '\(model)'" + (closestMatch(to: model, in: Set(models)).map { " (did you mean '\($0)'?)" } ?? ""))
            return nil
        }
        settings.rate = rate
        settings.model = model
        return settings
    }

    private func readUserTiers(_ section: MappingReader, defaults: [UserTier: UserTierPolicy]) -> [UserTier: UserTierPolicy] {
        var result = defaults
        for name in section.keyNames {
            guard let tier = UserTier(rawValue: name) else { continue }  // reported by rejectUnknownKeys
            guard let entry = section.mapping(name) else { continue }
            defer { entry.rejectUnknownKeys() }
            let floor = entry.string("floor")
            let ceiling = entry.string("ceiling")
            if let floor { checkTier(floor, entry, "floor") }
            if let ceiling { checkTier(ceiling, entry, "ceiling") }
            if let floor, let ceiling, let low = tiers.firstIndex(of: floor), let high = tiers.firstIndex(of: ceiling), low > high {
                entry.report("floor", "floor '\(floor)' is above ceiling '\(ceiling)'")
            }
            result[tier] = UserTierPolicy(floor: floor, ceiling: ceiling, escalation: entry.bool("escalation") ?? true)
        }
        return result
    }

    private func readResidency(_ section: MappingReader) -> [Sensitivity: ResidencyRule] {
        var result: [Sensitivity: ResidencyRule] = [:]
        for name in section.keyNames {
            guard let level = Sensitivity(rawValue: name) else { continue }  // reported by rejectUnknownKeys
            guard let entry = section.mapping(name) else { continue }
            defer { entry.rejectUnknownKeys() }
            let regions = entry.stringList("regions") ?? []
            let localOnly = entry.bool("local_only") ?? false
            if regions.isEmpty && !localOnly { entry.reportMissing("regions", hint: "or set local_only: true") }
            result[level] = ResidencyRule(regions: regions, localOnly: localOnly)
        }
        return result
    }

    private func readWindow(_ section: MappingReader) -> TimeWindow? {
        defer { section.rejectUnknownKeys() }
        let name = section.string("name", required: true)
        let zoneName = section.string("timezone", required: true)
        var zone: TimeZone?
        if let zoneName {
            zone = TimeZone(identifier: zoneName)
            if zone == nil { section.report("timezone", "unknown timezone '\(zoneName)' (use an IANA name such as Europe/Berlin or UTC)") }
        }
        var days = Set(Weekday.allCases)
        if section.has("days") {
            if let list = section.stringList("days") {
                days = []
                for day in list {
                    switch day.lowercased() {
                    case "weekdays": days.formUnion([.mon, .tue, .wed, .thu, .fri])
                    case "weekends": days.formUnion([.sat, .sun])
                    case "daily", "all": days.formUnion(Weekday.allCases)
                    default:
                        if let weekday = Weekday(rawValue: String(day.lowercased().prefix(3))), day.count == 3 || day.lowercased().hasPrefix(weekday.fullName) {
                            days.insert(weekday)
                        } else {
                            section.report("days", "unknown day '\(day)'; use mon, tue, wed, thu, fri, sat, sun, weekdays, weekends or daily")
                        }
                    }
                }
            }
        }
        let from = readClock(section, "from")
        let to = readClock(section, "to")
        if let from, let to, from == to { section.report("to", "must differ from 'from'") }
        let userTiers: Set<UserTier> = Set(
            (section.sequence("user_tiers") ?? []).compactMap { reader.choice($0.node, path: $0.path, as: UserTier.self) })
        let prefer = section.string("prefer")
        let floor = section.string("floor")
        let ceiling = section.string("ceiling")
        for (key, tier) in [("prefer", prefer), ("floor", floor), ("ceiling", ceiling)] {
            if let tier { checkTier(tier, section, key) }
        }
        let escalation = section.bool("escalation")
        let excludeProviders = section.stringList("exclude_providers") ?? []
        for provider in excludeProviders where !providers.contains(provider) {
            section.report("exclude_providers", "unknown provider '\(provider)'; providers: \(providers.joined(separator: ", "))")
        }
        let excludeModels = section.stringList("exclude_models") ?? []
        for model in excludeModels where !models.contains(model) {
            section.report("exclude_models", "unknown model '\(model)'")
        }
        if prefer == nil && floor == nil && ceiling == nil && escalation == nil && excludeProviders.isEmpty && excludeModels.isEmpty {
            section.report("name", "the window does nothing: set prefer, floor, ceiling, escalation, exclude_providers or exclude_models")
        }
        guard let name, let zone, let from, let to else { return nil }
        return TimeWindow(
            name: name, timeZone: zone, days: days, fromMinute: from, toMinute: to, userTiers: userTiers, prefer: prefer, floor: floor,
            ceiling: ceiling, escalation: escalation, excludeProviders: Set(excludeProviders), excludeModels: Set(excludeModels))
    }

    /// `HH:MM` (24-hour; `24:00` = end of day) as minutes after midnight.
    private func readClock(_ section: MappingReader, _ key: String) -> Int? {
        guard let text = section.string(key, required: true) else { return nil }
        let parts = text.split(separator: ":")
        if parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), parts[1].count == 2, (0...59).contains(minute),
            (0...23).contains(hour) || (hour == 24 && minute == 0)
        {
            return hour * 60 + minute
        }
        section.report(key, "expected a time such as \"09:00\" or \"18:30\" (24-hour), got \"\(text)\"")
        return nil
    }

    private func readBudgetRule(_ section: MappingReader) -> BudgetStressRule? {
        defer { section.rejectUnknownKeys() }
        let above = section.double("above", required: true, minimum: 0)
        let ceiling = section.string("ceiling")
        if let ceiling { checkTier(ceiling, section, "ceiling") }
        let escalation = section.bool("escalation")
        if ceiling == nil && escalation == nil { section.report("above", "the rule does nothing: set ceiling or escalation") }
        guard let above else { return nil }
        return BudgetStressRule(above: above, ceiling: ceiling, escalation: escalation)
    }

    // MARK: references

    private func checkTier(_ tier: String, _ section: MappingReader, _ key: String) {
        guard !tiers.contains(tier) else { return }
        var message = "unknown tier '\(tier)'"
        if let suggestion = closestMatch(to: tier, in: tiers) { message += " (did you mean '\(suggestion)'?)" }
        section.report(key, message + "; tiers: \(tiers.joined(separator: ", "))")
    }

    private func checkTiers(_ list: [String], _ section: MappingReader, _ key: String) {
        for tier in list { checkTier(tier, section, key) }
        if Set(list).count != list.count { section.report(key, "lists a tier twice") }
    }
}

extension Weekday {
    var fullName: String {
        switch self {
        case .sun: "sunday"
        case .mon: "monday"
        case .tue: "tuesday"
        case .wed: "wednesday"
        case .thu: "thursday"
        case .fri: "friday"
        case .sat: "saturday"
        }
    }
}
