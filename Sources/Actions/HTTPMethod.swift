/// The HTTP methods an action calls its upstream with; the text is what goes on the wire.
public enum HTTPMethod: String, Sendable, CaseIterable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"

    /// Whether a request with this method carries a body.
    public var sendsBody: Bool { self == .post || self == .put || self == .patch }
}
