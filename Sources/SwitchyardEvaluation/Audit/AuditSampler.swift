/// One request pair of an audit: a prompt sent to both models, with the sampling seed that tells
/// repeated samples of the same prompt apart.
public struct AuditSample: Sendable, Hashable {
    public var prompt: AuditPrompt
    /// 0-based index of the sample within its type.
    public var index: Int
    /// Sent as the request's `seed`.
    public var seed: Int

    public init(prompt: AuditPrompt, index: Int, seed: Int) {
        self.prompt = prompt
        self.index = index
        self.seed = seed
    }
}

/// Chooses `samplesPerType` samples of each type: the type's prompts in a seeded shuffled order,
/// cycled when there are fewer prompts than samples (each prompt then recurs with a new seed), a
/// seeded subset when there are more. Types keep the order of their first line.
public struct AuditSampler: Sendable {
    public var samplesPerType: Int
    public var seed: UInt64

    public init(samplesPerType: Int, seed: UInt64 = 42) {
        self.samplesPerType = samplesPerType
        self.seed = seed
    }

    /// The samples, grouped by type in file order.
    public func samples(_ prompts: [AuditPrompt]) -> [(type: String, samples: [AuditSample])] {
        var types: [String] = []
        var byType: [String: [AuditPrompt]] = [:]
        for prompt in prompts {
            if byType[prompt.type] == nil { types.append(prompt.type) }
            byType[prompt.type, default: []].append(prompt)
        }
        return types.map { type in
            var generator = SeededGenerator(seed: seed ^ SeededGenerator.mix(UInt64(truncatingIfNeeded: Self.stableHash(type))))
            let order = byType[type]!.shuffled(using: &generator)
            let samples = (0..<samplesPerType).map { index in
                AuditSample(prompt: order[index % order.count], index: index, seed: Int(seed % 1_000_000) * 1000 + index)
            }
            return (type, samples)
        }
    }

    /// FNV-1a of the type name (String.hashValue is randomised per process).
    static func stableHash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
