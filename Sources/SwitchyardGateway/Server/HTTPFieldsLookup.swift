import HTTPTypes

extension HTTPFields {
    /// The value of the field named `name`: what `self[name]` returns, without the general
    /// path's lazily joined sequence and new string when the field appears once or not at all
    /// (nearly always: `content-length`, `authorization`). Fields named twice or more are
    /// joined by that subscript, as before.
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
