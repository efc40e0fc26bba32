import Foundation

/// Shadow evaluation (`policy.shadow`): a sampled share of the answers served below the shadow
/// model's tier is asked again of that model, off the request path, and the two answers compared.
/// A tier whose answers to a task agree too rarely with the shadow model's is skipped for that
/// task until they agree again: the loop from measured quality back to routing.
public struct ShadowSettings: Sendable, Hashable {
    /// Share of eligible answers shadowed, 0–1.
    public var rate: Double
    /// The model asked again (a configured model name): the reference answers are judged by.
    public var model: String
    /// How two answers are judged to agree (`embedding` needs the local embedding model).
    public var agreement: AgreementMode
    /// With `embedding`: the least cosine similarity of the two answers' embeddings that agrees.
    public var cosineThreshold: Double
    /// The tasks whose answers are shadowed (`nil`: every task). Exact or JSON agreement means
    /// something for short answers (classify, extract); free text rarely matches word for word.
    public var tasks: Set<String>?
    /// Answers per task and tier judged before their agreement may move routing.
    public var minSamples: Int
    /// Below this share of agreeing answers, the tier is skipped for the task.
    public var minAgreement: Double
    /// The most recent answers per task and tier that count.
    public var window: Int
    /// Shadow calls in flight at once, at most.
    public var maxInFlight: Int
    /// Sampled answers waiting for a shadow call; beyond it new samples are dropped.
    public var queueCapacity: Int

    public init(
        rate: Double, model: String, agreement: AgreementMode = .auto, cosineThreshold: Double = 0.9, tasks: Set<String>? = nil,
        minSamples: Int = 20, minAgreement: Double = 0.8, window: Int = 100, maxInFlight: Int = 2, queueCapacity: Int = 256
    ) {
        self.rate = rate
        self.model = model
        self.agreement = agreement
        self.cosineThreshold = cosineThreshold
        self.tasks = tasks
        self.minSamples = minSamples
        self.minAgreement = minAgreement
        self.window = window
        self.maxInFlight = maxInFlight
        self.queueCapacity = queueCapacity
    }

    /// Whether the answer of decision `id` is shadowed: a hash of the id against ``rate``, so the
    /// same decision is always sampled the same way, and no random source is needed.
    public func samples(decisionID id: String) -> Bool {
        guard rate < 1 else { return true }
        guard rate > 0 else { return false }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        // SplitMix64's finaliser: FNV-1a alone leaves ids that differ in their last digits
        // close together in the high bits compared below.
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return Double(hash >> 11) / Double(1 << 53) < rate
    }
}

extension ShadowSettings {
    /// Whether a served answer agrees with the reference model's, by ``agreement``. With
    /// `embedding`, texts that differ after normalising are compared by the cosine of their
    /// embeddings (unit vectors, from `embeddings`) against ``cosineThreshold``; without
    /// embeddings they do not agree.
    public func agrees(_ served: String, _ reference: String, embeddings: (([String]) -> [[Float]])?) -> Bool {
        let (_, decided) = AnswerComparison.judge(served, reference, mode: agreement)
        if let decided { return decided }
        guard let vectors = embeddings?([served, reference]), vectors.count == 2, vectors[0].count == vectors[1].count else { return false }
        let cosine = zip(vectors[0], vectors[1]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        return Double(cosine) >= cosineThreshold
    }
}

/// Recent shadow verdicts per task and tier, and the tiers they take out of routing.
public struct ShadowStatistics: Sendable, Hashable {
    /// One task and tier's last answers judged: `true` for agreement, oldest first.
    public struct Record: Sendable, Hashable {
        public var outcomes: [Bool] = []
        /// Answers judged since start (not only those in the window).
        public var total = 0

        public init() {}

        public var agreeing: Int { outcomes.lazy.filter { $0 }.count }
        public var agreement: Double { outcomes.isEmpty ? 1 : Double(agreeing) / Double(outcomes.count) }
    }

    public struct Key: Sendable, Hashable, Comparable {
        public var task: String
        public var tier: String
        public init(task: String, tier: String) {
            self.task = task
            self.tier = tier
        }
        public static func < (a: Key, b: Key) -> Bool { (a.task, a.tier) < (b.task, b.tier) }
    }

    public private(set) var records: [Key: Record] = [:]
    public let window: Int

    public init(window: Int) {
        self.window = max(1, window)
    }

    public mutating func record(task: String, tier: String, agrees: Bool) {
        var record = records[Key(task: task, tier: tier), default: Record()]
        record.outcomes.append(agrees)
        if record.outcomes.count > window { record.outcomes.removeFirst(record.outcomes.count - window) }
        record.total += 1
        records[Key(task: task, tier: tier)] = record
    }

    /// The tiers to skip per task: those with at least `minSamples` answers in the window that
    /// agree less often than `minAgreement`.
    public func demotions(minSamples: Int, minAgreement: Double, reference: String) -> ShadowDemotions {
        var demoted: [String: [String: ShadowDemotions.Evidence]] = [:]
        for (key, record) in records where record.outcomes.count >= minSamples && record.agreement < minAgreement {
            demoted[key.task, default: [:]][key.tier] = ShadowDemotions.Evidence(
                agreeing: record.agreeing, samples: record.outcomes.count, minAgreement: minAgreement, reference: reference)
        }
        return ShadowDemotions(demoted)
    }
}

/// Tiers that shadow evaluation takes out of routing, per task (see ``ShadowSettings``).
public struct ShadowDemotions: Sendable, Hashable {
    /// Why a tier is skipped: how its answers compared with the reference model's.
    public struct Evidence: Sendable, Hashable {
        public var agreeing: Int
        public var samples: Int
        public var minAgreement: Double
        public var reference: String

        /// E.g. `light agreed with best on 3 of 20 shadowed summarize answers (15% < 80%)`.
        func reason(tier: String, task: String) -> String {
            "\(tier) agreed with \(reference) on \(agreeing) of \(samples) shadowed \(task) answers "
                + "(\(percent(Double(agreeing) / Double(max(1, samples)))) < \(percent(minAgreement)))"
        }
    }

    private let byTask: [String: [String: Evidence]]

    public init(_ byTask: [String: [String: Evidence]] = [:]) {
        self.byTask = byTask
    }

    public static let none = ShadowDemotions()

    public var isEmpty: Bool { byTask.isEmpty }

    /// Why `tier` is skipped for `task`, or `nil` when it is not.
    public func evidence(task: String, tier: String) -> Evidence? {
        byTask[task]?[tier]
    }
}
