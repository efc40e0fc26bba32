/// Fills the planned tiers with deployments and removes those that residency, region, an open
/// time window or an open circuit breaker rule out.
struct ChainBuilder {
    let policy: CompiledPolicy

    struct Result {
        var chain: [CompiledPolicy.Deployment]
        var excluded: [Exclusion]
        var clauses: [PolicyClause]
        /// Why residency kept the request where it is, for the 503 message.
        var residencyNote: String?
    }

    /// Regions the request may use, each with the clause that imposed it.
    struct RegionLimit {
        var regions: Set<String>
        var clause: String
        var why: String
    }

    /// Filters `inputCandidates`; the chain may come back empty.
    func build(candidates inputCandidates: [CompiledPolicy.Deployment], pinnedModel: Bool, signals: RoutingSignals, request: RoutingRequest, context: RoutingContext, plan: TierPlan) -> Result {
        var clauses: [PolicyClause] = []
        var candidates = inputCandidates
        var limits: [RegionLimit] = []
        let sensitivity = signals.sensitivity.value
        var residencyNote: String?

        if let rule = policy.residencyByRank[sensitivity.rank] {
            let base = "policy.residency.\(sensitivity.rawValue)"
            if rule.localOnly {
                if !pinnedModel && !candidates.isEmpty {
                    candidates = policy.deploymentsByTier.flatMap { $0 }.filter(\.isLocal)
                }
                clauses.append(PolicyClause(
                    clause: "\(base).local_only", effect: "local deployments only",
                    reason: "sensitivity \(sensitivity.rawValue) (from \(signals.sensitivity.source.rawValue)) is pinned to local deployments"))
                residencyNote = "\(sensitivity.rawValue) data is only sent to local deployments, even on fallback"
            }
            if !rule.regions.isEmpty {
                let regions = rule.regions.joined(separator: ", ")
                limits.append(RegionLimit(regions: Set(rule.regions), clause: "\(base).regions", why: "\(sensitivity.rawValue) data must stay in \(regions)"))
                clauses.append(PolicyClause(
                    clause: "\(base).regions", effect: "regions=\(regions)",
                    reason: "sensitivity \(sensitivity.rawValue) (from \(signals.sensitivity.source.rawValue)) must stay in \(regions)"))
                residencyNote = (residencyNote.map { $0 + "; " } ?? "") + "\(sensitivity.rawValue) data never leaves \(regions), even on fallback"
            }
        }
        if let allowed = context.allowedRegions {
            let regions = allowed.sorted().joined(separator: ", ")
            limits.append(RegionLimit(regions: allowed, clause: "tenant.allowed_regions", why: "the tenant's data may only be processed in \(regions)"))
            clauses.append(PolicyClause(clause: "tenant.allowed_regions", effect: "regions=\(regions)", reason: "the tenant allows only \(regions)"))
        }
        if let region = context.requestRegion ?? request.hints.region {
            let clause = context.requestRegion != nil ? "request.region" : "metadata.region"
            limits.append(RegionLimit(regions: [region], clause: clause, why: "the request must stay in \(region)"))
            clauses.append(PolicyClause(clause: clause, effect: "regions=\(region)", reason: "the request asked to stay in \(region)"))
        }

        var chain: [CompiledPolicy.Deployment] = []
        var excluded: [Exclusion] = []
        chain.reserveCapacity(candidates.count)
        // Through a pointer: iterating the array itself copied every candidate (retaining all its
        // fields) before deciding whether to keep it.
        candidates.withUnsafeBufferPointer { candidates in
            guard let first = candidates.baseAddress else { return }
            candidateLoop: for index in candidates.indices {
                let deployment = first + index
                let name = deployment.pointee.model.name
                let region = deployment.pointee.region
                for limit in limits {
                    guard let region, limit.regions.contains(region) else {
                        excluded.append(Exclusion(model: name, clause: limit.clause, reason: "\(limit.why); \(name) is in \(region ?? "an unknown region")"))
                        continue candidateLoop
                    }
                }
                for window in plan.windowExclusions {
                    if window.window.excludeProviders.contains(deployment.pointee.model.provider) || window.window.excludeModels.contains(name) {
                        excluded.append(Exclusion(model: name, clause: window.path, reason: "window '\(window.window.name)' excludes it"))
                        continue candidateLoop
                    }
                }
                if Self.contains(context.unavailableDeployments, name) {
                    excluded.append(Exclusion(model: name, clause: "unavailable", reason: "unavailable (circuit breaker open or provider limit reached)"))
                    continue candidateLoop
                }
                chain.append(deployment.pointee)
            }
        }

        return Result(chain: chain, excluded: excluded, clauses: clauses, residencyNote: residencyNote)
    }
}

extension ChainBuilder {
    /// `set.contains(name)`, by comparing when the set is small: hashing a string costs more than
    /// a few comparisons, and the unavailable set is usually empty or holds a handful of names.
    @inline(__always)
    static func contains(_ set: Set<String>, _ name: String) -> Bool {
        guard set.count > 4 else { return set.contains { $0 == name } }
        return set.contains(name)
    }
}

extension ChainBuilder.Result {
    /// The 503 for an empty chain, naming every exclusion.
    func noEligibleDeployment(_ description: String) -> GatewayError {
        var message = "No eligible deployment for \(description)"
        if excluded.isEmpty {
            message += ": no deployment is configured for it."
        } else {
            message += ": " + excluded.prefix(10).map { "\($0.model): \($0.reason)" }.joined(separator: "; ") + "."
        }
        if let residencyNote { message += " The request was not sent elsewhere: \(residencyNote)." }
        return .noEligibleDeployment(message)
    }
}
