import Foundation

/// Turns a request into ``RoutingSignals``: client metadata first, then rules, then the semantic
/// classifier, then defaults; complexity from the heuristic score (blended with the semantic
/// classifier's, if any). Everything is compiled once; a classification is one pass of a
/// multi-pattern matcher over each non-assistant message plus a byte-statistics pass.
struct SignalClassifier: Sendable {
    /// What a matched pattern means.
    enum Role: Sendable {
        case task(Int)
        case sensitivity(Sensitivity)
        case feature(ComplexityFeature)
        case dispute
    }

    struct PatternInfo: Sendable {
        var role: Role
        var text: String
        var rule: String
    }

    struct RegexRule: Sendable {
        var role: Role
        var regex: CompiledRegex
        var rule: String
    }

    let taskNames: [String]
    let taskIndex: [String: Int]
    let defaultTask: Int
    let defaultSensitivity: Sensitivity
    let heuristics: HeuristicSettings
    let featureWeights: [Double]  // by ComplexityFeature.allCases index
    let matcher: PatternMatcher
    let patterns: [PatternInfo]
    /// `patterns[i].role`, kept apart so the hot loop touches no reference-counted strings.
    let roles: [Role]
    let regexes: [RegexRule]
    let semantic: (any SemanticClassifier)?

    static let features = ComplexityFeature.allCases

    init(configuration: RoutingConfiguration, semantic: (any SemanticClassifier)?) {
        var patterns: [PatternMatcher.Pattern] = []
        var infos: [PatternInfo] = []
        var regexes: [RegexRule] = []
        func add(_ texts: [String], role: Role, rule: String, phrase: Bool = false) {
            for text in texts where !text.isEmpty {
                patterns.append(phrase ? PatternMatcher.phrase(text) : PatternMatcher.keyword(text))
                infos.append(PatternInfo(role: role, text: text, rule: rule))
            }
        }
        func addRegexes(_ sources: [String], role: Role, rule: String) {
            for source in sources {
                if let regex = CompiledRegex(source) { regexes.append(RegexRule(role: role, regex: regex, rule: rule)) }
            }
        }
        for (index, task) in configuration.tasks.enumerated() {
            add(task.keywords, role: .task(index), rule: "tasks.\(task.name).keywords")
            add(task.phrases, role: .task(index), rule: "tasks.\(task.name).phrases", phrase: true)
            addRegexes(task.regexes, role: .task(index), rule: "tasks.\(task.name).regexes")
        }
        for (level, rules) in [(Sensitivity.internal, configuration.sensitivity.internal), (.restricted, configuration.sensitivity.restricted)] {
            add(rules.keywords, role: .sensitivity(level), rule: "sensitivity.\(level.rawValue).keywords")
            add(rules.phrases, role: .sensitivity(level), rule: "sensitivity.\(level.rawValue).phrases", phrase: true)
            addRegexes(rules.regexes, role: .sensitivity(level), rule: "sensitivity.\(level.rawValue).regexes")
        }
        for feature in Self.features where configuration.heuristics.weight(feature) != 0 {
            add(configuration.heuristics.vocabulary(feature), role: .feature(feature), rule: "heuristics.terms.\(feature.rawValue)")
        }
        add(configuration.policy.sessions.disputePhrases, role: .dispute, rule: "policy.sessions.dispute_phrases")

        self.taskNames = configuration.tasks.map(\.name)
        self.taskIndex = Dictionary(configuration.tasks.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.defaultTask = taskIndex[configuration.policy.defaultTask] ?? 0
        self.defaultSensitivity = configuration.policy.defaultSensitivity
        self.heuristics = configuration.heuristics
        self.featureWeights = Self.features.map { configuration.heuristics.weight($0) }
        self.matcher = PatternMatcher(patterns: patterns)
        self.patterns = infos
        self.roles = infos.map(\.role)
        self.regexes = regexes
        self.semantic = semantic
    }

    /// Counts gathered while scanning.
    struct Scan {
        var taskScores: [Double]
        var featureDistinct: [Int]
        var featureCount: [Int]
        var sensitivity: Sensitivity = .public
        var disputed = false
        var matches: [RuleMatch] = []
        var numbers = 0
        var listItems = 0
        var questionMarks = 0
        var bytes = 0
        var userTurns = 0
    }

    /// The most rule matches listed in a decision record.
    static let maxRecordedMatches = 24

    /// Classifies `request`; an unknown task hint is a 400.
    func classify(_ request: RoutingRequest) throws(GatewayError) -> (RoutingSignals, [RuleMatch]) {
        let hints = request.hints
        var scan = Scan(
            taskScores: [Double](repeating: 0, count: taskNames.count),
            featureDistinct: [Int](repeating: 0, count: Self.features.count),
            featureCount: [Int](repeating: 0, count: Self.features.count))
        var seen = [UInt64](repeating: 0, count: (patterns.count + 63) / 64)
        let lastUser = request.messages.lastIndex { $0.role == "user" }
        let hasEarlierAnswer = lastUser.map { index in request.messages[..<index].contains { $0.role == "assistant" } } ?? false

        for (index, message) in request.messages.enumerated() {
            scan.bytes += message.text.utf8.count
            if message.role == "user" { scan.userTurns += 1 }
            guard message.role != "assistant" else { continue }
            let countDisputes = index == lastUser && hasEarlierAnswer
            let done: Void? = message.text.utf8.withContiguousStorageIfAvailable { bytes in
                scanMessage(bytes, countDisputes: countDisputes, scan: &scan, seen: &seen)
            }
            if done == nil {
                Array(message.text.utf8).withUnsafeBufferPointer { bytes in
                    scanMessage(bytes, countDisputes: countDisputes, scan: &scan, seen: &seen)
                }
            }
            for rule in regexes where rule.regex.matches(message.text) {
                switch rule.role {
                case .task(let task): scan.taskScores[task] += 2
                case .sensitivity(let level): if level > scan.sensitivity { scan.sensitivity = level }
                case .feature, .dispute: break
                }
                if scan.matches.count < Self.maxRecordedMatches { scan.matches.append(RuleMatch(rule: rule.rule, pattern: rule.regex.source)) }
            }
        }

        let promptTokens = (scan.bytes + 3) / 4 + 4 * request.messages.count
        let (heuristic, features) = complexityScore(scan, maxOutputTokens: request.maxOutputTokens, promptTokens: promptTokens)

        // The semantic classifier is asked only when its answer can matter.
        let needsSemanticTask = hints.task == nil && !scan.taskScores.contains { $0 > 0 }
        var semanticAnswer: SemanticSignals?
        if let semantic, needsSemanticTask || hints.complexity == nil {
            let text = lastUser.map { request.messages[$0].text } ?? request.messages.last?.text ?? ""
            semanticAnswer = semantic.classify(SemanticPrompt(text: text, messages: request.messages, taxonomy: taskNames))
        }

        // Task: metadata > rules > semantic > default.
        let task: TaskSignal
        if let hint = hints.task {
            guard taskIndex[hint.value] != nil else {
                throw .invalidRequest(
                    "'\(hint.param)' must be one of \(taskNames.joined(separator: ", ")); got '\(hint.value)'.", param: hint.param, code: "invalid_value")
            }
            task = TaskSignal(value: hint.value, source: hint.source, score: 1)
        } else if let best = scan.taskScores.indices.max(by: { scan.taskScores[$0] < scan.taskScores[$1] || (scan.taskScores[$0] == scan.taskScores[$1] && $0 < $1) }),
            scan.taskScores[best] > 0
        {
            let total = scan.taskScores.reduce(0, +)
            task = TaskSignal(value: taskNames[best], source: .rule, score: scan.taskScores[best] / total)
        } else if let name = semanticAnswer?.task, taskIndex[name] != nil {
            task = TaskSignal(value: name, source: .semantic, score: semanticAnswer?.taskConfidence ?? 0.5)
        } else {
            task = TaskSignal(value: taskNames[defaultTask], source: .default, score: 0)
        }

        // Complexity: metadata > heuristic (blended with semantic when it answers).
        var complexity = ComplexitySignal(value: heuristic, source: .heuristic, heuristic: heuristic, features: features, semantic: semanticAnswer?.complexity)
        if let hint = hints.complexity {
            complexity.value = hint.value
            complexity.source = hint.source
        } else if let semanticScore = semanticAnswer?.complexity, semanticScore.isFinite {
            let weight = min(1, max(0, heuristics.semanticWeight))
            complexity.value = min(1, max(0, (1 - weight) * heuristic + weight * semanticScore))
            complexity.source = .heuristicSemantic
        }

        // Sensitivity: metadata > rules > default.
        let sensitivity: SensitivitySignal
        if let hint = hints.sensitivity {
            sensitivity = SensitivitySignal(value: hint.value, source: hint.source)
        } else if scan.sensitivity > .public {
            sensitivity = SensitivitySignal(value: max(scan.sensitivity, defaultSensitivity), source: .rule)
        } else {
            sensitivity = SensitivitySignal(value: defaultSensitivity, source: .default)
        }

        let signals = RoutingSignals(
            task: task, complexity: complexity, sensitivity: sensitivity, disputed: scan.disputed, promptTokens: promptTokens,
            userTurns: scan.userTurns)
        return (signals, scan.matches)
    }

    /// Runs the pattern matcher and the statistics pass over one message.
    @inline(__always)
    func scanMessage(_ bytes: UnsafeBufferPointer<UInt8>, countDisputes: Bool, scan: inout Scan, seen: inout [UInt64]) {
        var statistics = TextStatistics()
        matcher.scan(bytes, statistics: &statistics) { pattern, _ in
            let role = roles[pattern]
            let word = pattern >> 6
            let bit = UInt64(1) << UInt64(pattern & 63)
            let first = seen[word] & bit == 0
            switch role {
            case .feature(let feature):
                let slot = feature.slot
                scan.featureCount[slot] += 1
                if first {
                    scan.featureDistinct[slot] += 1
                    seen[word] |= bit
                }
                return
            case .task(let task):
                if first { scan.taskScores[task] += 1 }
            case .sensitivity(let level):
                if level > scan.sensitivity { scan.sensitivity = level }
            case .dispute:
                guard countDisputes else { return }
                scan.disputed = true
            }
            if first {
                seen[word] |= bit
                if scan.matches.count < Self.maxRecordedMatches {
                    scan.matches.append(RuleMatch(rule: patterns[pattern].rule, pattern: patterns[pattern].text))
                }
            }
        }
        scan.numbers += statistics.numbers
        scan.questionMarks += statistics.questionMarks
        scan.listItems += statistics.listItems
    }

    /// The heuristic complexity: clamp(Σ weight × feature, 0, 1).
    func complexityScore(_ scan: Scan, maxOutputTokens: Int?, promptTokens: Int) -> (Double, [FeatureScore]) {
        var values = [Double](repeating: 0, count: Self.features.count)
        func distinct(_ feature: ComplexityFeature) -> Double { Double(scan.featureDistinct[feature.slot]) }
        func occurrences(_ feature: ComplexityFeature) -> Double { Double(scan.featureCount[feature.slot]) }
        values[ComplexityFeature.reasoning.slot] = min(1, distinct(.reasoning) / 3)
        values[ComplexityFeature.constraints.slot] =
            min(1, (min(occurrences(.constraints), 6) + Double(min(scan.listItems, 6)) + Double(max(0, min(scan.questionMarks, 4) - 1))) / 6)
        let requested = maxOutputTokens.map { min(1, Double($0) / 4096) } ?? 0
        values[ComplexityFeature.outputLength.slot] = max(requested, min(1, distinct(.outputLength) * 0.5))
        values[ComplexityFeature.code.slot] = min(1, (distinct(.code) + min(occurrences(.code), 8) / 2) / 4)
        values[ComplexityFeature.math.slot] = min(1, (2 * distinct(.math) + Double(min(scan.numbers, 20))) / 24)
        values[ComplexityFeature.promptTokens.slot] = min(1, max(0, log2(Double(max(promptTokens, 1)) / 16) / 8))
        values[ComplexityFeature.depth.slot] = min(1, Double(max(0, scan.userTurns - 1)) / 5)
        values[ComplexityFeature.brevity.slot] = min(1, distinct(.brevity))
        var total = 0.0
        var scores: [FeatureScore] = []
        scores.reserveCapacity(values.count)
        for (slot, feature) in Self.features.enumerated() {
            let weight = featureWeights[slot]
            total += weight * values[slot]
            scores.append(FeatureScore(feature: feature, value: (values[slot] * 1000).rounded() / 1000, weight: weight))
        }
        return (min(1, max(0, total)), scores)
    }
}

extension ComplexityFeature {
    /// Index in `allCases`.
    var slot: Int {
        switch self {
        case .reasoning: 0
        case .constraints: 1
        case .outputLength: 2
        case .code: 3
        case .math: 4
        case .promptTokens: 5
        case .depth: 6
        case .brevity: 7
        }
    }
}
