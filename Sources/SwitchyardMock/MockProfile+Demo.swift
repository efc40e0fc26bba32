extension MockProfile {
    /// The simulated tiers of `serve --demo` (upstream ids `sim-light`, `sim-mid`, `sim-premium`):
    /// cheaper tiers answer sooner but are less capable (``MockModelProfile/skill``) and less
    /// confident, so `switchyard audit` finds easy short-answer prompts safe to downgrade and hard
    /// ones not. Other model names behave like the default profile (free text, no skill).
    public static let demo = MockProfile(models: [
        "sim-light": MockModelProfile(timeToFirstToken: .milliseconds(25), tokensPerSecond: 220, meanLogprob: -0.3, skill: 0.6),
        "sim-mid": MockModelProfile(timeToFirstToken: .milliseconds(40), tokensPerSecond: 150, meanLogprob: -0.2, skill: 0.75),
        "sim-premium": MockModelProfile(timeToFirstToken: .milliseconds(70), tokensPerSecond: 90, meanLogprob: -0.1, skill: 0.95),
    ])

    /// The same with no simulated latency, for tests.
    public var withoutLatency: MockProfile {
        var profile = self
        profile.defaultModel.timeToFirstToken = .zero
        profile.defaultModel.tokensPerSecond = 0
        for name in profile.models.keys {
            profile.models[name]?.timeToFirstToken = .zero
            profile.models[name]?.tokensPerSecond = 0
        }
        return profile
    }
}
