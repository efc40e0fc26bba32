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
    /// For each task, the index of the first task with its name (what `taskIndex` gives for it).
    let firstTaskNamed: [Int]
    let defaultTask: Int
    let defaultSensitivity: Sensitivity
    let heuristics: HeuristicSettings
    let featureWeights: [Double]  // by ComplexityFeature.allCases index
    let matcher: PatternMatcher
    let patterns: [PatternInfo]
    /// `patterns[i].role`, kept apart so the hot loop touches no reference-counted strings.
    let roles: [Role]
    /// `patterns[i]` as a decision record lists it, built once.
    let ruleMatches: [RuleMatch]
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
        let taskIndex = Dictionary(configuration.tasks.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.taskIndex = taskIndex
        self.firstTaskNamed = configuration.tasks.map { taskIndex[$0.name]! }
        self.defaultTask = taskIndex[configuration.policy.defaultTask] ?? 0
        self.defaultSensitivity = configuration.policy.defaultSensitivity
        self.heuristics = configuration.heuristics
        self.featureWeights = Self.features.map { configuration.heuristics.weight($0) }
        self.matcher = PatternMatcher(patterns: patterns)
        self.patterns = infos
        self.roles = infos.map(\.role)
        self.ruleMatches = infos.map { RuleMatch(rule: $0.rule, pattern: $0.text) }
        self.regexes = regexes
        self.semantic = semantic
    }

    /// The most rule matches listed in a decision record.
    static let maxRecordedMatches = 24

    /// Classifies `request`; an unknown task hint is a 400.
    func classify(_ request: RoutingRequest) throws(GatewayError) -> (RoutingSignals, [RuleMatch]) {
        let (signals, matches, _) = try classifyIndexed(request)
        return (signals, matches)
    }

    /// Classifies `request`; also returns the index of the task in the configuration's task list
    /// (the first task of that name), so the policy needs no lookup by name.
    func classifyIndexed(_ request: RoutingRequest) throws(GatewayError) -> (RoutingSignals, [RuleMatch], taskIndex: Int) {
        let hints = request.hints
        let lastUser = request.messages.lastIndex { $0.role == "user" }
        let scan = scanMessages(request, lastUser: lastUser)
        let promptTokens = scan.promptTokens
        let (heuristic, features) = (scan.heuristic, scan.features)

        // The semantic classifier is asked only when its answer can matter.
        let needsSemanticTask = hints.task == nil && scan.bestTask == nil
        var semanticAnswer: SemanticSignals?
        if let semantic, needsSemanticTask || hints.complexity == nil {
            let text = lastUser.map { request.messages[$0].text } ?? request.messages.last?.text ?? ""
            semanticAnswer = semantic.classify(SemanticPrompt(text: text, messages: request.messages, taxonomy: taskNames))
        }

        // Task: metadata > rules > semantic > default.
        let task: TaskSignal
        let chosenTask: Int
        if let hint = hints.task {
            guard let index = taskIndex[hint.value] else {
                throw .invalidRequest(
                    "'\(hint.param)' must be one of \(taskNames.joined(separator: ", ")); got '\(hint.value)'.", param: hint.param, code: "invalid_value")
            }
            task = TaskSignal(value: hint.value, source: hint.source, score: 1)
            chosenTask = index
        } else if let best = scan.bestTask {
            task = TaskSignal(value: taskNames[best.index], source: .rule, score: best.score)
            chosenTask = firstTaskNamed[best.index]
        } else if let name = semanticAnswer?.task, let index = taskIndex[name] {
            task = TaskSignal(value: name, source: .semantic, score: semanticAnswer?.taskConfidence ?? 0.5)
            chosenTask = index
        } else {
            task = TaskSignal(value: taskNames[defaultTask], source: .default, score: 0)
            chosenTask = firstTaskNamed[defaultTask]
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
        return (signals, scan.matches, chosenTask)
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
