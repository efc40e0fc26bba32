import Foundation

extension SignalClassifier {
    /// What scanning a request's messages found, and the heuristic complexity computed from it.
    struct Scan {
        /// The task with the highest rule score and its share of all rule scores, if any scored.
        var bestTask: (index: Int, score: Double)?
        var sensitivity: Sensitivity
        var disputed: Bool
        var matches: [RuleMatch]
        var userTurns: Int
        var promptTokens: Int
        var heuristic: Double
        var features: [FeatureScore]
    }

    /// Counters of one classification. They live in stack memory borrowed for the call
    /// (`withUnsafeTemporaryAllocation`): arrays here meant five heap allocations per request,
    /// and a uniqueness check on every update in the matcher's callback.
    struct Tally {
        /// Rule score per task: 1 per distinct keyword or phrase, 2 per matching regex.
        var taskScores: UnsafeMutableBufferPointer<Double>
        /// Per ``ComplexityFeature`` slot: distinct vocabulary terms found, and all occurrences.
        var featureDistinct: UnsafeMutablePointer<Int>
        var featureCount: UnsafeMutablePointer<Int>
        /// One bit per pattern: already seen in this request.
        var seen: UnsafeMutablePointer<UInt64>
        /// The rule matches to list, in order: a pattern index, or `~k` for the k-th regex.
        var recorded: UnsafeMutablePointer<Int>
        var recordedCount = 0
        var sensitivity: Sensitivity = .public
        var disputed = false

        /// Lists a rule match, up to ``SignalClassifier/maxRecordedMatches``.
        @inline(__always)
        mutating func record(_ reference: Int) {
            guard recordedCount < SignalClassifier.maxRecordedMatches else { return }
            recorded[recordedCount] = reference
            recordedCount &+= 1
        }
    }

    /// Scans every non-assistant message with the pattern matcher (and the regexes), then scores
    /// complexity.
    func scanMessages(_ request: RoutingRequest, lastUser: Int?) -> Scan {
        let featureSlots = Self.features.count
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: max(1, taskNames.count)) { taskScores in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * featureSlots + Self.maxRecordedMatches) { counters in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, (patterns.count + 63) / 64)) { seen in
                    let scores = UnsafeMutableBufferPointer(rebasing: taskScores[0..<taskNames.count])
                    scores.initialize(repeating: 0)
                    counters.initialize(repeating: 0)
                    seen.initialize(repeating: 0)
                    let base = counters.baseAddress!
                    var tally = Tally(
                        taskScores: scores, featureDistinct: base, featureCount: base + featureSlots, seen: seen.baseAddress!,
                        recorded: base + 2 * featureSlots)
                    return scan(request, lastUser: lastUser, into: &tally)
                }
            }
        }
    }

    private func scan(_ request: RoutingRequest, lastUser: Int?, into tally: inout Tally) -> Scan {
        let hasEarlierAnswer = lastUser.map { index in request.messages[..<index].contains { $0.role == "assistant" } } ?? false
        var statistics = TextStatistics()
        var bytes = 0
        var userTurns = 0
        for (index, message) in request.messages.enumerated() {
            bytes += message.text.utf8.count
            if message.role == "user" { userTurns += 1 }
            guard message.role != "assistant" else { continue }
            let countDisputes = index == lastUser && hasEarlierAnswer
            let done: Void? = message.text.utf8.withContiguousStorageIfAvailable { bytes in
                scanMessage(bytes, countDisputes: countDisputes, tally: &tally, statistics: &statistics)
            }
            if done == nil {
                Array(message.text.utf8).withUnsafeBufferPointer { bytes in
                    scanMessage(bytes, countDisputes: countDisputes, tally: &tally, statistics: &statistics)
                }
            }
            for (k, rule) in regexes.enumerated() where rule.regex.matches(message.text) {
                switch rule.role {
                case .task(let task): tally.taskScores[task] += 2
                case .sensitivity(let level): if level > tally.sensitivity { tally.sensitivity = level }
                case .feature, .dispute: break
                }
                tally.record(~k)
            }
        }

        let scores = tally.taskScores
        var bestTask: (index: Int, score: Double)?
        if let best = scores.indices.max(by: { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }), scores[best] > 0 {
            bestTask = (best, scores[best] / scores.reduce(0, +))
        }
        let promptTokens = (bytes + 3) / 4 + 4 * request.messages.count
        let (heuristic, features) = complexityScore(
            tally, statistics, userTurns: userTurns, maxOutputTokens: request.maxOutputTokens, promptTokens: promptTokens)
        return Scan(
            bestTask: bestTask, sensitivity: tally.sensitivity, disputed: tally.disputed, matches: recordedMatches(tally), userTurns: userTurns,
            promptTokens: promptTokens, heuristic: heuristic, features: features)
    }

    /// Runs the pattern matcher (which also gathers the byte statistics) over one message.
    @inline(__always)
    private func scanMessage(_ bytes: UnsafeBufferPointer<UInt8>, countDisputes: Bool, tally: inout Tally, statistics: inout TextStatistics) {
        roles.withUnsafeBufferPointer { roles in
            matcher.scan(bytes, statistics: &statistics) { pattern, _ in
                let word = tally.seen + (pattern &>> 6)
                let bit = UInt64(1) &<< UInt64(pattern & 63)
                let first = word.pointee & bit == 0
                switch roles[pattern] {
                case .feature(let feature):
                    let slot = feature.slot
                    tally.featureCount[slot] &+= 1
                    if first {
                        tally.featureDistinct[slot] &+= 1
                        word.pointee |= bit
                    }
                    return
                case .task(let task):
                    if first { tally.taskScores[task] += 1 }
                case .sensitivity(let level):
                    if level > tally.sensitivity { tally.sensitivity = level }
                case .dispute:
                    guard countDisputes else { return }
                    tally.disputed = true
                }
                if first {
                    word.pointee |= bit
                    tally.record(pattern)
                }
            }
        }
    }

    /// The recorded rule matches as the decision record lists them.
    ///
    /// (Built with `map`, which is specialised for the element type: `Array(unsafeUninitializedCapacity:)`
    /// and `Array(repeating:count:)` look the array's storage type up at run time, ≈ 600 instructions.)
    private func recordedMatches(_ tally: Tally) -> [RuleMatch] {
        guard tally.recordedCount > 0 else { return [] }
        return (0..<tally.recordedCount).map { k in
            let reference = tally.recorded[k]
            return reference >= 0 ? ruleMatches[reference] : RuleMatch(rule: regexes[~reference].rule, pattern: regexes[~reference].regex.source)
        }
    }

    /// The heuristic complexity: clamp(Σ weight × feature, 0, 1).
    func complexityScore(
        _ tally: Tally, _ statistics: TextStatistics, userTurns: Int, maxOutputTokens: Int?, promptTokens: Int
    ) -> (Double, [FeatureScore]) {
        func distinct(_ feature: ComplexityFeature) -> Double { Double(tally.featureDistinct[feature.slot]) }
        func occurrences(_ feature: ComplexityFeature) -> Double { Double(tally.featureCount[feature.slot]) }
        let featureSlots = Self.features.count
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: featureSlots) { values in
            values.initialize(repeating: 0)
            values[ComplexityFeature.reasoning.slot] = min(1, distinct(.reasoning) / 3)
            values[ComplexityFeature.constraints.slot] =
                min(1, (min(occurrences(.constraints), 6) + Double(min(statistics.listItems, 6)) + Double(max(0, min(statistics.questionMarks, 4) - 1))) / 6)
            let requested = maxOutputTokens.map { min(1, Double($0) / 4096) } ?? 0
            values[ComplexityFeature.outputLength.slot] = max(requested, min(1, distinct(.outputLength) * 0.5))
            values[ComplexityFeature.code.slot] = min(1, (distinct(.code) + min(occurrences(.code), 8) / 2) / 4)
            values[ComplexityFeature.math.slot] = min(1, (2 * distinct(.math) + Double(min(statistics.numbers, 20))) / 24)
            values[ComplexityFeature.promptTokens.slot] = min(1, max(0, log2(Double(max(promptTokens, 1)) / 16) / 8))
            values[ComplexityFeature.depth.slot] = min(1, Double(max(0, userTurns - 1)) / 5)
            values[ComplexityFeature.brevity.slot] = min(1, distinct(.brevity))
            // In slot order, so the sum adds up exactly as it always has.
            var total = 0.0
            let scores = Self.features.indices.map { slot in
                let weight = featureWeights[slot]
                total += weight * values[slot]
                return FeatureScore(feature: Self.features[slot], value: (values[slot] * 1000).rounded() / 1000, weight: weight)
            }
            return (min(1, max(0, total)), scores)
        }
    }
}
