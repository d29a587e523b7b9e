/// The HTTP methods an action calls its upstream with; the text is what goes on the wire.
public enum HTTPMethod: String, Sendable, CaseIterable {
    case get = "GET"
    case post = "POST"
}
