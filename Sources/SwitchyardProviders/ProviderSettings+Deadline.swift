import NIOCore
import SwitchyardCore

extension ProviderSettings {
    /// When the provider must have started answering `call`: the call's own timeout, at most the
    /// provider's.
    func deadline(for call: ProviderCall) -> NIODeadline {
        .now() + TimeAmount(min(call.timeout ?? timeout, timeout))
    }
}
