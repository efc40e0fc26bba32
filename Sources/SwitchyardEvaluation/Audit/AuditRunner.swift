import SwitchyardCore

/// Runs an audit against an ``AuditBackend``: a preflight that stops on problems no sample can
/// survive, every sample to both models with bounded concurrency, embedding comparisons when
/// asked, and one report per type.
public struct AuditRunner: Sendable {
    public var backend: any AuditBackend
    public var currentModel: String
    public var candidateModel: String
    public var mode: AgreementMode
    /// Least cosine similarity at which two embeddings agree (``AgreementMode/embedding``).
    public var cosineThreshold: Double
    /// Most requests in flight at once.
    public var concurrency: Int
    public var criteria: AuditCriteria

    public init(
        backend: any AuditBackend, currentModel: String, candidateModel: String, mode: AgreementMode = .auto, cosineThreshold: Double = 0.9,
        concurrency: Int = 4, criteria: AuditCriteria = AuditCriteria()
    ) {
        self.backend = backend
        self.currentModel = currentModel
        self.candidateModel = candidateModel
        self.mode = mode
        self.cosineThreshold = cosineThreshold
        self.concurrency = max(1, concurrency)
        self.criteria = criteria
    }

    /// Sends `sample` to both models, and checks embeddings when the mode needs them; throws the
    /// first fatal failure (unreachable gateway, unknown model, rejected key, no embedding model).
    public func preflight(_ sample: AuditSample) async throws(AuditError) {
        for model in [currentModel, candidateModel] {
            if case .failure(let failure) = await backend.complete(sample, model: model), failure.isFatal {
                throw AuditError(failure.message)
            }
        }
        if mode == .embedding, case .failure(let failure) = await backend.embed(["audit preflight"]) {
            throw AuditError("embedding agreement needs the gateway's embeddings: \(failure.message)")
        }
    }

    /// Runs every sample and reports per type, in the order of `plan`. `progress` is called with
    /// (requests done, requests in all) as answers arrive.
    public func run(_ plan: [(type: String, samples: [AuditSample])], progress: (@Sendable (Int, Int) -> Void)? = nil) async -> [AuditTypeReport] {
        let jobs = plan.enumerated().flatMap { typeIndex, entry in
            entry.samples.indices.flatMap { sampleIndex in [Job(type: typeIndex, sample: sampleIndex, candidate: false), Job(type: typeIndex, sample: sampleIndex, candidate: true)] }
        }
        var outcomes: [Job: Result<AuditAnswer, AuditFailure>] = [:]
        await withTaskGroup(of: (Job, Result<AuditAnswer, AuditFailure>).self) { group in
            var next = 0
            func launch() {
                let job = jobs[next]
                next += 1
                let sample = plan[job.type].samples[job.sample]
                let model = job.candidate ? candidateModel : currentModel
                group.addTask { (job, await backend.complete(sample, model: model)) }
            }
            while next < min(concurrency, jobs.count) { launch() }
            while let (job, outcome) = await group.next() {
                outcomes[job] = outcome
                progress?(outcomes.count, jobs.count)
                if next < jobs.count { launch() }
            }
        }
        var pairs = plan.enumerated().map { typeIndex, entry in
            entry.samples.enumerated().map { sampleIndex, sample in
                compare(
                    sample: sample, current: outcomes[Job(type: typeIndex, sample: sampleIndex, candidate: false)]!,
                    candidate: outcomes[Job(type: typeIndex, sample: sampleIndex, candidate: true)]!)
            }
        }
        if mode == .embedding { pairs = await embedPending(pairs) }
        let aggregator = AuditAggregator(currentModel: currentModel, candidateModel: candidateModel, criteria: criteria)
        return plan.enumerated().map { typeIndex, entry in
            aggregator.report(type: entry.type, prompts: Set(entry.samples.map(\.prompt)).count, pairs: pairs[typeIndex])
        }
    }

    /// The pair with its metric and, when no embedding is needed, its verdict.
    func compare(sample: AuditSample, current: Result<AuditAnswer, AuditFailure>, candidate: Result<AuditAnswer, AuditFailure>) -> AuditPairResult {
        var pair = AuditPairResult(sample: sample, current: current, candidate: candidate)
        guard case .success(let a) = current, case .success(let b) = candidate else { return pair }
        let verdict = AnswerComparison.judge(a.text, b.text, mode: mode)
        pair.metric = verdict.metric
        pair.agrees = verdict.agrees
        return pair
    }

    /// Decides the embedding pairs: both answers embedded in batches of 64 texts.
    func embedPending(_ pairs: [[AuditPairResult]]) async -> [[AuditPairResult]] {
        var pairs = pairs
        let pending = pairs.indices.flatMap { type in
            pairs[type].indices.filter { pairs[type][$0].metric == .embedding && pairs[type][$0].agrees == nil }.map { (type, $0) }
        }
        for batch in stride(from: 0, to: pending.count, by: 32).map({ Array(pending[$0..<min($0 + 32, pending.count)]) }) {
            let texts = batch.flatMap { type, index -> [String] in
                guard case .success(let a) = pairs[type][index].current, case .success(let b) = pairs[type][index].candidate else { return ["", ""] }
                return [a.text, b.text]
            }
            switch await backend.embed(texts) {
            case .success(let vectors) where vectors.count == texts.count:
                for (offset, (type, index)) in batch.enumerated() {
                    let cosine = AuditStatistics.cosine(vectors[2 * offset], vectors[2 * offset + 1]) ?? 0
                    pairs[type][index].cosine = cosine
                    pairs[type][index].agrees = cosine >= cosineThreshold
                }
            case .success(let vectors):
                let failure = AuditFailure(category: "embeddings", message: "asked for \(texts.count) embeddings, got \(vectors.count)")
                for (type, index) in batch { pairs[type][index].comparisonFailure = failure }
            case .failure(let failure):
                for (type, index) in batch { pairs[type][index].comparisonFailure = failure }
            }
        }
        return pairs
    }

    struct Job: Hashable, Sendable {
        var type: Int
        var sample: Int
        var candidate: Bool
    }
}
