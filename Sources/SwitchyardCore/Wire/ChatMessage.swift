/// One message of a chat request, reduced to what routing reads: its role and its text.
public struct ChatMessage: Sendable, Hashable {
    public var role: String
    /// The message's text; multi-part content is joined with newlines, non-text parts dropped.
    public var text: String

    public init(role: String, text: String) {
        self.role = role
        self.text = text
    }
}
