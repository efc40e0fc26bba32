/// The built-in taxonomy, rules and vocabularies used when the configuration leaves them out.
///
/// Every default rule is a keyword or phrase (matched in one pass over the prompt's bytes); no
/// default uses a regular expression.
public enum DefaultRouting {
    /// A default task: its rules and where its thresholds sit on a light/mid/premium scale.
    struct TaskTemplate {
        var name: String
        var keywords: [String]
        var phrases: [String] = []
        /// Gates beyond ``GateKind/baseline`` (truncation, empty, refusal, json-when-asked).
        var extraGates: [GateKind] = []
        /// Complexity at which the request leaves the cheapest tier(s) and at which it goes to the top tier.
        var mid: Double
        var premium: Double
    }

    static let taskTemplates: [TaskTemplate] = [
        TaskTemplate(
            name: "classify",
            keywords: ["classify", "categorize", "categorise", "label", "sentiment", "which category", "is this spam", "tag this", "true or false", "yes or no"],
            extraGates: [.label], mid: 0.5, premium: 0.85),
        TaskTemplate(
            name: "extract",
            keywords: ["extract", "parse", "pull out", "list all", "find all", "named entities", "fill in the json", "key fields", "invoice number", "to json"],
            mid: 0.45, premium: 0.8),
        TaskTemplate(
            name: "summarize",
            keywords: ["summarize", "summarise", "summary", "tl;dr", "tldr", "key points", "condense", "recap", "in a nutshell", "shorten"],
            mid: 0.45, premium: 0.8),
        TaskTemplate(
            name: "generate",
            keywords: ["write a", "write an", "draft", "compose", "generate", "create a", "story", "poem", "blog post", "slogan", "cover letter", "rewrite", "translate"],
            mid: 0.35, premium: 0.7),
        TaskTemplate(
            name: "reason",
            keywords: [
                "why", "prove", "analyze", "analyse", "compare", "trade-off*", "tradeoff*", "step by step", "reason", "derive", "evaluate",
                "architecture", "design a", "strategy", "pros and cons", "implications", "solve", "how many", "calculate",
            ],
            mid: 0.25, premium: 0.5),
        TaskTemplate(
            name: "code",
            keywords: [
                "refactor*", "stack trace", "write a test", "unit test*", "compile error", "function", "bug", "debug*", "python", "javascript",
                "typescript", "swift", "rust", "golang", "sql query", "regex", "code", "api endpoint", "segfault", "exception", "traceback",
            ],
            phrases: ["```", "def ", "func ", "#include", "console.log", "();"],
            extraGates: [.code], mid: 0.3, premium: 0.65),
        TaskTemplate(
            name: "chat",
            keywords: ["hello", "hi", "thanks", "thank you", "how are you", "what do you think", "tell me about"],
            mid: 0.4, premium: 0.75),
    ]

    /// Names of the default tasks, in order.
    public static let taskNames: [String] = taskTemplates.map(\.name)

    /// The built-in vocabularies of the complexity features.
    public static let terms: [ComplexityFeature: [String]] = [
        .reasoning: [
            "analyze", "analyse", "analysis", "compare", "contrast", "explain why", "why does", "why is", "why do", "step by step", "prove",
            "proof", "derive", "justify", "evaluate", "trade-off*", "tradeoff*", "implications", "reason about", "architecture", "design",
            "strategy", "optimi*", "scalab*", "distributed", "consistency", "concurrency", "edge cases", "root cause", "pros and cons",
            "critique", "what if", "infer", "hypothes*", "theorem", "rigorous*", "multi-step", "plan", "because", "therefore", "hence",
            "consequently", "implies", "more likely", "less likely",
        ],
        .constraints: [
            "must", "should", "ensure", "without", "at least", "at most", "exactly", "do not", "don't", "never", "always", "only",
            "make sure", "requirement*", "constraint*", "format", "include", "avoid", "each", "every", "no more than", "unless",
        ],
        .outputLength: [
            "in detail", "detailed", "comprehensive", "thorough*", "essay", "long-form", "full implementation", "complete implementation",
            "report", "in depth", "in-depth", "elaborate", "1000 words", "2000 words", "several paragraphs", "chapter",
        ],
        .code: [
            "```", "def", "func", "#include", "function", "const", "lambda", "async", "await", "struct", "assert", "=>", "();", "){",
            "};", "console.log", "println", "printf", "stack trace", "traceback", "compile*", "null pointer", "write a function",
            "implement*", "program", "script", "algorithm", "python", "javascript", "typescript", "java", "rust", "golang", "sql", "regex",
            "recursion", "recursive*", "unit test*", "refactor*",
        ],
        .math: [
            "calculate", "compute", "equation", "integral", "derivative", "probability", "percent", "percentage", "ratio", "average",
            "how many", "how much", "total", "sum", "product", "remainder", "fraction", "solve", "sqrt", "times", "twice", "half",
            "per", "each", "altogether", "left", "more than", "less than", "%", "=", "+", "*", "/", "^",
        ],
        .brevity: [
            "one word", "single word", "yes or no", "true or false", "briefly", "in one sentence", "short answer", "just the answer",
            "only the answer", "single choice", "tl;dr", "one line", "no explanation", "without explanation",
        ],
    ]

    /// Phrases that dispute the previous answer.
    public static let disputePhrases: [String] = [
        "that's wrong", "that is wrong", "thats wrong", "that's not right", "that is not right", "that's incorrect", "that is incorrect",
        "you're wrong", "you are wrong", "not correct", "but the policy says", "but the docs say", "but the documentation says",
        "are you sure", "that doesn't work", "that does not work", "still wrong", "wrong answer",
    ]

    /// Default sensitivity rules.
    public static let sensitivity = SensitivityRules(
        internal: TextRules(keywords: [
            "confidential", "internal only", "internal use only", "do not distribute", "proprietary", "nda", "trade secret",
            "not for distribution",
        ]),
        restricted: TextRules(keywords: [
            "social security number", "ssn", "passport number", "medical record*", "diagnosis", "patient data", "patient record*", "credit card number", "iban",
            "date of birth", "health record*", "password", "api key", "private key", "bank account",
        ])
    )

    /// The default tasks with thresholds spread over `tiers` (cheapest first): the top tier gets the
    /// task's premium threshold, the tier below it the mid threshold, lower tiers fractions of it.
    public static func tasks(tiers: [String]) -> [TaskDefinition] {
        taskTemplates.map { template in
            TaskDefinition(
                name: template.name, keywords: template.keywords, phrases: template.phrases, chain: tiers,
                thresholds: thresholds(tiers: tiers, mid: template.mid, premium: template.premium),
                gates: TaskGates(kinds: GateKind.baseline + template.extraGates))
        }
    }

    /// Thresholds for `tiers` on a light/mid/premium scale.
    static func thresholds(tiers: [String], mid: Double, premium: Double) -> [String: Double] {
        let count = tiers.count
        guard count >= 2 else { return [:] }
        var result: [String: Double] = [tiers[count - 1]: premium]
        if count >= 3 {
            for index in 1...(count - 2) {
                result[tiers[index]] = (mid * Double(index) / Double(count - 2) * 1000).rounded() / 1000
            }
        }
        return result
    }

    /// The default template of the task called `name`, as a definition over `tiers`.
    public static func task(named name: String, tiers: [String]) -> TaskDefinition? {
        tasks(tiers: tiers).first { $0.name == name }
    }

    /// Default policy for `tiers`: free users capped below the top tier without escalation; at
    /// 90 % of a budget the same cap and no escalation (the auto-downgrade); 30-minute sticky
    /// sessions.
    public static func policy(tiers: [String]) -> RoutingPolicy {
        var policy = RoutingPolicy()
        let belowTop = tiers.count >= 2 ? tiers[tiers.count - 2] : nil
        policy.userTiers = [
            .free: UserTierPolicy(ceiling: belowTop, escalation: false),
            .pro: UserTierPolicy(),
            .enterprise: UserTierPolicy(),
        ]
        policy.budgetStress = [BudgetStressRule(above: 0.9, ceiling: belowTop, escalation: false)]
        return policy
    }
}

extension RoutingConfiguration {
    /// The built-in routing for `tiers`: default tasks, sensitivity rules, heuristics and policy.
    public static func defaults(tiers: [String]) -> RoutingConfiguration {
        RoutingConfiguration(
            tasks: DefaultRouting.tasks(tiers: tiers), sensitivity: DefaultRouting.sensitivity, heuristics: HeuristicSettings(),
            policy: DefaultRouting.policy(tiers: tiers))
    }
}
